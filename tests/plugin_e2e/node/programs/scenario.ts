// The scenario program of tests/plugin_e2e in TypeScript (the same in every language): a Token
// from the stack's config; getProfile only when `profile` is set, since a function reads on
// every run.
import * as pulumi from "@pulumi/pulumi";
import * as anypoint from "@anypoint-pulumi/anypoint-auth";

const config = new pulumi.Config();
const token = new anypoint.Token("ci", {
    clientId: config.require("clientId"),
    clientSecret: config.requireSecret("clientSecret"),
    baseUrl: config.require("baseUrl"),
});

export const accessToken = token.accessToken;
export const grantType = token.grantType;
export const expiresAt = token.expiresAt;
export const organizationId = config.getBoolean("profile")
    ? anypoint.getProfileOutput({ accessToken: token.accessToken, baseUrl: config.require("baseUrl") })
        .organizationId
    : undefined;
