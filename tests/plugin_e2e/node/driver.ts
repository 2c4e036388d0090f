// Runs one stack operation of an inline TypeScript program through the Node Automation API, for
// the plugin's end-to-end tests (tests/plugin_e2e/runners.py). The request is JSON in argv[2]:
//   {op, program, workDir, stackName, projectName, pulumiHome, engineRoot, envVars, refresh}
// op: preview | up | refresh | destroy. The program is a TypeScript file whose module-level code
// declares the resources and whose exports become the stack outputs, as in a project's index.ts.
// The answer is one JSON line on stdout: {ok, changes, outputs: {name: {value, secret}}, stdout,
// stderr, error}. The project's Pulumi.yaml (with its plugins: providers: path) is already in
// workDir: the Automation API keeps it.
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";

interface Request {
    op: "preview" | "up" | "refresh" | "destroy";
    program: string;
    workDir: string;
    stackName: string;
    projectName: string;
    pulumiHome: string;
    engineRoot: string;
    envVars: Record<string, string>;
    refresh?: boolean;
}

async function main(): Promise<void> {
    const req: Request = JSON.parse(process.argv[2]);
    const pulumiCommand = await PulumiCommand.get({ root: req.engineRoot, skipVersionCheck: true });
    const program = async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(req.program);
        return { ...mod };
    };
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName: req.stackName, projectName: req.projectName, program },
        { workDir: req.workDir, pulumiHome: req.pulumiHome, envVars: req.envVars, pulumiCommand },
    );
    let answer: Record<string, unknown>;
    try {
        switch (req.op) {
            case "preview": {
                const r = await stack.preview({ diff: true, color: "never" });
                answer = { changes: r.changeSummary, stdout: r.stdout, stderr: r.stderr };
                break;
            }
            case "up": {
                const r = await stack.up({ color: "never", refresh: req.refresh });
                answer = { changes: r.summary.resourceChanges, outputs: r.outputs,
                           stdout: r.stdout, stderr: r.stderr };
                break;
            }
            case "refresh": {
                const r = await stack.refresh({ color: "never" });
                answer = { changes: r.summary.resourceChanges, stdout: r.stdout, stderr: r.stderr };
                break;
            }
            case "destroy": {
                const r = await stack.destroy({ color: "never" });
                answer = { changes: r.summary.resourceChanges, stdout: r.stdout, stderr: r.stderr };
                break;
            }
            default:
                throw new Error(`unknown op ${req.op}`);
        }
        answer.ok = true;
    } catch (e) {
        answer = { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
}

main().catch((e) => {
    process.stdout.write(JSON.stringify({ ok: false, error: `driver: ${e}` }) + "\n");
    process.exitCode = 1;
});
