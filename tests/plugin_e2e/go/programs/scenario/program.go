// The scenario program of tests/plugin_e2e in Go (the same in every language): a Token from the
// stack's config; getProfile only when `profile` is set, since a function reads on every run.
package main

import (
	"anypoint-pulumi/sdk/go/anypointauth"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// Program declares the token and exports what the tests look at.
func Program(ctx *pulumi.Context) error {
	conf := config.New(ctx, "")
	args := &anypointauth.TokenArgs{
		ClientId:     pulumi.String(conf.Require("clientId")),
		ClientSecret: conf.RequireSecret("clientSecret"),
		BaseUrl:      pulumi.String(conf.Require("baseUrl")),
	}
	token, err := anypointauth.NewToken(ctx, "ci", args)
	if err != nil {
		return err
	}
	ctx.Export("accessToken", token.AccessToken)
	ctx.Export("grantType", token.GrantType)
	ctx.Export("expiresAt", token.ExpiresAt)
	if conf.GetBool("profile") {
		profile := anypointauth.GetProfileOutput(ctx, anypointauth.GetProfileOutputArgs{
			AccessToken: token.AccessToken,
			BaseUrl:     pulumi.String(conf.Require("baseUrl")),
		})
		ctx.Export("organizationId", profile.OrganizationId())
	}
	return nil
}
