import { expect } from "chai";
import { diffPlans, formatDiff } from "../../plan/diff";
import { REPOSITORY_ROOT, runProgram } from "../../plan/run-program";
import { readStackConfig } from "../../plan/stack-file";
import { editedStackFile, engineConfig, planStack, secretSentinel, STACKS } from "../harness";

/**
 * A secret rotated on a branch (`pulumi config set --secret`: only its ciphertext changes in the stack file)
 * must show in `npm run plan -- --diff` as a change of the resources that read it, as `pulumi preview --diff`
 * shows it, and never with its value: a reviewer who sees "0 to update" believes nothing happens.
 */

const headers = (text: string) => text.split("\n").filter((line) => /^(\+-|~|\+|-) /.test(line));

describe("a changed secret in the offline --diff: shown as a change, never its value", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      it("a new ciphertext of sentryDsn in the stack file changes the app's env Secret and rolls both colours, without the value", async () => {
        const committed = readStackConfig(REPOSITORY_ROOT, stack);
        expect(committed.secretKeys).to.include("platform:sentryDsn");
        const rotated = "v1:ROTATED-CIPHERTEXT-7f3a";
        const stackFile = editedStackFile(stack, (config) => (config["platform:sentryDsn"] = { secure: rotated }));
        const text = formatDiff(diffPlans((await planStack(stack)).record, await runProgram(stack, { stackFile })));
        expect(headers(text)).to.deep.equal([
          "~ kubernetes:apps/v1:Deployment platform-app-api-blue",
          "~ kubernetes:apps/v1:Deployment platform-app-api-green",
          "+- kubernetes:core/v1:Secret platform-app-api-env (replace, deleting the old object first: stringData)",
        ]);
        expect(text).to.contain('    ~ inputs.stringData.SENTRY_DSN: "[secret]" => "[secret]"\n');
        expect(text).to.contain("    ~ inputs.spec.template.metadata.annotations.platform.io/secret-checksum: ");
        expect(text, "neither the new nor the old ciphertext").to.not.contain("ROTATED").and.not.contain("placeholder:");
        expect(text.trimEnd().split("\n").at(-1)).to.equal("0 to add, 0 to delete, 2 to update, 1 to replace");
      });

      it("the same ciphertext plans the same: the committed file against itself changes nothing", async () => {
        const again = await runProgram(stack, { stackFile: editedStackFile(stack, () => {}) });
        expect(formatDiff(diffPlans((await planStack(stack)).record, again))).to.equal("0 to add, 0 to delete, 0 to update, 0 to replace\n");
      });

      it("a decrypted Slack webhook URL that changes changes the Alertmanager configuration Secret, and the diff holds neither value", async () => {
        const rotate = (values: Record<string, string>) => (values["platform:slackWebhookUrl"] = secretSentinel("rotated-slack"));
        const before = await runProgram(stack, { config: engineConfig(stack), renderCharts: false });
        const after = await runProgram(stack, { config: engineConfig(stack, rotate), renderCharts: false });
        const text = formatDiff(diffPlans(before, after));
        expect(headers(text)).to.deep.equal(["+- kubernetes:core/v1:Secret platform-alertmanager-config-secret (replace, deleting the old object first: stringData)"]);
        expect(text).to.contain('    ~ inputs.stringData.alertmanager.yaml: "[secret]" => "[secret]"\n');
        expect(text).to.not.contain("SENTINEL").and.not.contain("d41d8cd98f00");
      });
    });
  }
});
