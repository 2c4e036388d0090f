package main

import (
	"anypoint-pulumi/sdk/go/anypointauth"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Program declares the token and reads its owner's organization.
//
// Credentials and location come from the provider's config:
//
//	pulumi config set anypoint-auth:clientId <client id>
//	pulumi config set --secret anypoint-auth:clientSecret <client secret>
//	pulumi config set anypoint-auth:region eu        (or anypoint-auth:baseUrl for PCE)
func Program(ctx *pulumi.Context) error {
	token, err := anypointauth.NewToken(ctx, "token", &anypointauth.TokenArgs{})
	if err != nil {
		return err
	}
	profile := anypointauth.GetProfileOutput(ctx, anypointauth.GetProfileOutputArgs{
		AccessToken: token.AccessToken,
		BaseUrl:     token.BaseUrl,
	})
	// accessToken is a secret output: `pulumi stack output accessToken --show-secrets`.
	ctx.Export("accessToken", token.AccessToken)
	ctx.Export("expiresAt", token.ExpiresAt)
	ctx.Export("organizationId", profile.OrganizationId())
	return nil
}
