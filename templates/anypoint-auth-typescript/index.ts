// An Anypoint access token that renews itself, and the organization it belongs to.
//
// Credentials and control plane come from the provider's config, which `pulumi new` prompted for:
//   pulumi config set anypoint-auth:clientId <client id>
//   pulumi config set --secret anypoint-auth:clientSecret <client secret>
//   pulumi config set anypoint-auth:region eu        (or anypoint-auth:baseUrl for PCE)
import * as anypoint from "@anypoint-pulumi/anypoint-auth";

const token = new anypoint.Token("token");

const profile = anypoint.getProfileOutput({
    accessToken: token.accessToken,
    baseUrl: token.baseUrl,
});

// accessToken is a secret output: `pulumi stack output accessToken --show-secrets` hands it over.
export const accessToken = token.accessToken;
export const expiresAt = token.expiresAt;
export const organizationId = profile.organizationId;
