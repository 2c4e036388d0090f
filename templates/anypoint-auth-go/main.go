// Command ${PROJECT}: an Anypoint access token that renews itself, and the organization
// it belongs to. The program is Program (program.go); main hands it to pulumi.Run, as every Go
// Pulumi program does (the tests run the same Program inline, through the Automation API).
package main

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

func main() {
	pulumi.Run(Program)
}
