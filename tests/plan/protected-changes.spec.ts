import { expect } from "chai";
import { diffPlans, formatDiff } from "../../plan/diff";
import { runProgram } from "../../plan/run-program";
import { editedStackFile, planStack, STACKS } from "../harness";

/**
 * An ordinary edit that deletes or replaces a protected resource makes `pulumi up` stop at it. The offline
 * --diff must say so on the resource's line and once more at the end, not show a plain `-` that a reviewer
 * approves and the deploy then fails on (or, unprotected, deletes the data).
 */

const WARNING =
  "warning: 1 protected resource would be deleted or replaced: pulumi up refuses (and stops there) until each is unprotected on purpose " +
  "(README: What must never be deleted by accident)";

describe("the offline --diff names protected and retained resources it deletes or replaces", () => {
  for (const stack of STACKS) {
    it(`${stack}: renaming a database entry deletes its generated password, ${stack === "production" ? "protected" : "unprotected"}`, async () => {
      const stackFile = editedStackFile(stack, (config) => (config["platform:databases"][0].name = "orders-v2"));
      const text = formatDiff(diffPlans((await planStack(stack)).record, await runProgram(stack, { stackFile })));
      const line = text.split("\n").find((l) => l.startsWith("- random:index/randomPassword:RandomPassword platform-db-orders-password"));
      if (stack === "production") {
        expect(line).to.equal("- random:index/randomPassword:RandomPassword platform-db-orders-password [protected: pulumi up refuses to delete it]");
        expect(text).to.contain(`\n${WARNING}\n`);
      } else {
        expect(line).to.equal("- random:index/randomPassword:RandomPassword platform-db-orders-password");
        expect(text).not.to.contain("warning:");
      }
    });

    it(`${stack}: a backup bucket gone from the program says what the engine does with it instead of deleting it`, async () => {
      // Production refuses a stack without backups in validation, so the record is compared with itself minus the bucket.
      const before = (await planStack(stack)).record;
      const after = { ...before, resources: before.resources.filter((r) => r.name !== "platform-backups-storage-bucket") };
      const text = formatDiff(diffPlans(before, after));
      expect(text.split("\n")[0]).to.equal(
        stack === "production"
          ? "- aws:s3/bucket:Bucket platform-backups-storage-bucket [protected: pulumi up refuses to delete it]"
          : "- aws:s3/bucket:Bucket platform-backups-storage-bucket [retainOnDelete: Pulumi forgets it, the object and its data stay]",
      );
    });
  }
});

describe("the offline --diff names what Helm cannot update in place", () => {
  const HELM_WARNING =
    "warning: 1 object of Helm releases would change a field the API server refuses to change in place: the release's upgrade fails and rolls back, " +
    "and pulumi up with it; make the change by hand first (README: Changing what the API server will not update)";
  const LOKI = "~ kubernetes:apps/v1:StatefulSet platform-monitoring-loki-release:monitoring/loki";

  for (const stack of STACKS) {
    it(`${stack}: a larger Loki volume changes its StatefulSet's volumeClaimTemplates, which Helm's upgrade cannot patch; more memory it can`, async () => {
      const before = (await planStack(stack)).record;
      const larger = formatDiff(diffPlans(before, await runProgram(stack, { stackFile: editedStackFile(stack, (config) => (config["platform:monitoring"].loki.storageSize = "300Gi")) })));
      expect(larger.split("\n").find((l) => l.startsWith(LOKI))).to.equal(`${LOKI} [Helm cannot update it: the API server refuses a change of spec.volumeClaimTemplates]`);
      expect(larger).to.contain(`\n${HELM_WARNING}\n`);
      const memory = formatDiff(diffPlans(before, await runProgram(stack, { stackFile: editedStackFile(stack, (config) => (config["platform:monitoring"].loki.resources.limits.memory = "7Gi")) })));
      expect(memory.split("\n").find((l) => l.startsWith(LOKI))).to.equal(LOKI);
      expect(memory).not.to.contain("warning:");
    });
  }
});
