// Command driver runs one stack operation of an inline Go program through the Go Automation API,
// for the plugin's end-to-end tests (tests/plugin_e2e/runners.py). The program is the Program
// function of the one other file of this package (program.go, copied in by
// tests/plugin_e2e/toolchains.py from a scenario or an example). The request is JSON in
// os.Args[1]: {op, workDir, stackName, projectName, pulumiHome, engineRoot, envVars, refresh};
// op: preview | up | refresh | destroy. The answer is one JSON line on stdout:
// {ok, changes, outputs: {name: {value, secret}}, stdout, stderr, error}. The project's
// Pulumi.yaml (with its plugins: providers: path) is already in workDir: the API keeps it.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
)

type request struct {
	Op          string            `json:"op"`
	WorkDir     string            `json:"workDir"`
	StackName   string            `json:"stackName"`
	ProjectName string            `json:"projectName"`
	PulumiHome  string            `json:"pulumiHome"`
	EngineRoot  string            `json:"engineRoot"`
	EnvVars     map[string]string `json:"envVars"`
	Refresh     bool              `json:"refresh"`
}

type output struct {
	Value  interface{} `json:"value"`
	Secret bool        `json:"secret"`
}

type answer struct {
	OK      bool              `json:"ok"`
	Changes map[string]int    `json:"changes,omitempty"`
	Outputs map[string]output `json:"outputs,omitempty"`
	Stdout  string            `json:"stdout,omitempty"`
	Stderr  string            `json:"stderr,omitempty"`
	Error   string            `json:"error,omitempty"`
}

func run(ctx context.Context, req request) (answer, error) {
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: req.EngineRoot,
		SkipVersionCheck: true})
	if err != nil {
		return answer{}, err
	}
	stack, err := auto.UpsertStackInlineSource(ctx, req.StackName, req.ProjectName, Program,
		auto.WorkDir(req.WorkDir), auto.PulumiHome(req.PulumiHome), auto.EnvVars(req.EnvVars),
		auto.Pulumi(cmd))
	if err != nil {
		return answer{}, err
	}
	switch req.Op {
	case "preview":
		r, err := stack.Preview(ctx, optpreview.Diff(), optpreview.Color("never"))
		if err != nil {
			return answer{}, err
		}
		changes := map[string]int{}
		for op, n := range r.ChangeSummary {
			changes[string(op)] = n
		}
		return answer{OK: true, Changes: changes, Stdout: r.StdOut, Stderr: r.StdErr}, nil
	case "up":
		opts := []optup.Option{optup.Color("never")}
		if req.Refresh {
			opts = append(opts, optup.Refresh())
		}
		r, err := stack.Up(ctx, opts...)
		if err != nil {
			return answer{}, err
		}
		outputs := map[string]output{}
		for name, o := range r.Outputs {
			outputs[name] = output{Value: o.Value, Secret: o.Secret}
		}
		return answer{OK: true, Changes: deref(r.Summary.ResourceChanges), Outputs: outputs,
			Stdout: r.StdOut, Stderr: r.StdErr}, nil
	case "refresh":
		r, err := stack.Refresh(ctx, optrefresh.Color("never"))
		if err != nil {
			return answer{}, err
		}
		return answer{OK: true, Changes: deref(r.Summary.ResourceChanges), Stdout: r.StdOut,
			Stderr: r.StdErr}, nil
	case "destroy":
		r, err := stack.Destroy(ctx, optdestroy.Color("never"))
		if err != nil {
			return answer{}, err
		}
		return answer{OK: true, Changes: deref(r.Summary.ResourceChanges), Stdout: r.StdOut,
			Stderr: r.StdErr}, nil
	}
	return answer{}, fmt.Errorf("unknown op %q", req.Op)
}

func deref(changes *map[string]int) map[string]int {
	if changes == nil {
		return map[string]int{}
	}
	return *changes
}

func main() {
	var req request
	if err := json.Unmarshal([]byte(os.Args[1]), &req); err != nil {
		fmt.Println(`{"ok": false, "error": "driver: bad request"}`)
		os.Exit(2)
	}
	got, err := run(context.Background(), req)
	if err != nil {
		got = answer{OK: false, Error: err.Error()}
	}
	out, _ := json.Marshal(got)
	fmt.Println(string(out))
}
