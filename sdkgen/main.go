// Command sdkgen writes the Node.js, Python and Go SDKs of a Pulumi package from its schema.
//
// It does what `pulumi package gen-sdk` does, without the language hosts that command needs
// (they cannot be had offline here): the schema is bound with pkg/v3/codegen/schema and each
// language's code generator is called directly. Usage:
//
//	sdkgen <schema.json> <out dir>
//
// <out dir>/nodejs, <out dir>/python and <out dir>/go are replaced as a whole, so a file the
// schema no longer produces does not linger. The output depends only on the schema and on the
// pulumi pkg version pinned in go.mod (held equal to engine/go.mod's by a test).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"

	"github.com/blang/semver"
)

// tool is the name written into every generated file's "do not edit" header.
const tool = "anypoint-pulumi sdkgen (make sdks)"

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: sdkgen <schema.json> <out dir>")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "sdkgen:", err)
		os.Exit(1)
	}
}

func run(schemaPath, outDir string) error {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	generators := []struct {
		name     string
		generate func(*schema.Package) (map[string][]byte, error)
	}{
		{"nodejs", func(pkg *schema.Package) (map[string][]byte, error) {
			// localSDK: package.json's main is bin/index.js, built by a postinstall script,
			// as `pulumi package add` makes it for a local SDK.
			return nodejs.GeneratePackage(tool, pkg, nil, nil, true, noLoader{})
		}},
		{"python", func(pkg *schema.Package) (map[string][]byte, error) {
			return python.GeneratePackage(tool, pkg, nil, noLoader{})
		}},
		{"go", func(pkg *schema.Package) (map[string][]byte, error) {
			return gogen.GeneratePackage(tool, pkg, nil)
		}},
	}
	for _, gen := range generators {
		// Each generator records its language's settings on the package: bind afresh.
		pkg, err := bind(raw)
		if err != nil {
			return err
		}
		files, err := gen.generate(pkg)
		if err != nil {
			return fmt.Errorf("%s: %w", gen.name, err)
		}
		if err := write(filepath.Join(outDir, gen.name), files); err != nil {
			return fmt.Errorf("%s: %w", gen.name, err)
		}
		fmt.Printf("%s: %d files\n", gen.name, len(files))
	}
	return nil
}

// bind validates the schema against the metaschema and binds it; any diagnostic is an error.
func bind(raw []byte) (*schema.Package, error) {
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("reading the schema: %w", err)
	}
	pkg, diags, err := schema.BindSpec(spec, noLoader{}, schema.ValidationOptions{})
	if err != nil {
		return nil, fmt.Errorf("binding the schema: %w", err)
	}
	if len(diags) > 0 {
		return nil, fmt.Errorf("the schema is not valid: %s", diags.Error())
	}
	return pkg, nil
}

func write(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		target := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// noLoader refuses to load other packages: the schema is self-contained, and loading one would
// mean starting (or downloading) its plugin.
type noLoader struct{}

func (noLoader) refuse(name string) error {
	return fmt.Errorf("the schema refers to package %q: sdkgen loads no other package", name)
}

func (l noLoader) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, l.refuse(pkg)
}

func (l noLoader) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, l.refuse(d.Name)
}

func (l noLoader) LoadPackageReference(pkg string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, l.refuse(pkg)
}

func (l noLoader) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return nil, l.refuse(d.Name)
}
