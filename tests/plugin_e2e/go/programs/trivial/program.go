package main

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Program exports one value: the harness's own check, with no provider.
func Program(ctx *pulumi.Context) error {
	ctx.Export("hello", pulumi.String("world"))
	return nil
}
