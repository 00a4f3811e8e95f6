import type { PolicyPackArgs, PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { expect } from "chai";
import { formatViolations, loadPackConfig, policyExitCode, policySummary, resolvePackConfig, runPolicies } from "../../policy/offline";
import { policies, policyPackArgs } from "../../policy/rules";
import { planRecord, UNKNOWN_STRING, urnOf } from "./fixtures";

const NS = "kubernetes:core/v1:Namespace";

const record = planRecord([
  { type: "platform:core:PlatformNamespace", name: "apps", inputs: {}, custom: false },
  { type: NS, name: "apps-ns", inputs: { metadata: { name: "apps" } }, parent: urnOf("platform:core:PlatformNamespace", "apps") },
  { type: "kubernetes:core/v1:ResourceQuota", name: "apps-quota", inputs: { metadata: { namespace: "apps" } }, dependencies: [urnOf(NS, "apps-ns")] },
]);

/** A pack whose one resource policy reports every Namespace, to watch levels and config flow through. */
function onePolicyPack(level?: "advisory" | "mandatory"): PolicyPackArgs {
  return {
    policies: [
      {
        name: "flag-namespaces",
        description: "test",
        enforcementLevel: level,
        configSchema: { properties: { note: { type: "string", default: "dflt" }, limit: { type: "integer", minimum: 1 } } },
        validateResource: (args, report) => {
          if (args.type === NS) report(`namespace ${args.name} (${args.getConfig<{ note: string }>().note})`);
        },
      },
    ],
  };
}

describe("policy: offline runner", () => {
  it("hands resource policies the analyzer's argument shape, with inputs as props", async () => {
    const seen: ResourceValidationArgs[] = [];
    const pack: PolicyPackArgs = { policies: [{ name: "capture", description: "test", validateResource: (args) => void seen.push(args) }] };
    await runPolicies(record, {}, pack);
    expect(seen.map((a) => a.name)).to.deep.equal(["apps", "apps-ns", "apps-quota"]);
    const ns = seen[1];
    expect(ns).to.include({ type: NS, name: "apps-ns", urn: urnOf(NS, "apps-ns") });
    // The mocks record no provider resources; the analyzer leaves `provider` out when there is none.
    expect(ns.provider).to.equal(undefined);
    expect(ns.props).to.deep.equal({ metadata: { name: "apps" } });
    expect(ns.opts).to.deep.equal({
      protect: false,
      ignoreChanges: [],
      deleteBeforeReplace: false,
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
      parent: urnOf("platform:core:PlatformNamespace", "apps"),
    });
    expect(ns.stackTags.size).to.equal(0);
    expect(ns.getConfig()).to.deep.equal({});
    const Namespace = { __pulumiType: NS } as unknown as new () => never;
    const Quota = { __pulumiType: "kubernetes:core/v1:ResourceQuota" } as unknown as new () => never;
    expect([ns.isType(Namespace), ns.isType(Quota)]).to.deep.equal([true, false]);
    expect(ns.asType(Namespace as never)).to.deep.equal({ metadata: { name: "apps" } });
    expect(() => ns.notApplicable("not mine")).to.throw("not mine");
  });

  it("hands stack policies every resource with parents and dependencies resolved to resources", async () => {
    let seen: StackValidationArgs | undefined;
    const pack: PolicyPackArgs = { policies: [{ name: "capture", description: "test", validateStack: (args) => void (seen = args) }] };
    await runPolicies(record, {}, pack);
    const byName = new Map(seen!.resources.map((r) => [r.name, r] as [string, PolicyResource]));
    expect([...byName.keys()]).to.deep.equal(["apps", "apps-ns", "apps-quota"]);
    expect(byName.get("apps-ns")!.parent).to.equal(byName.get("apps"));
    expect(byName.get("apps-quota")!.dependencies).to.deep.equal([byName.get("apps-ns")]);
    expect(byName.get("apps-quota")!.propertyDependencies).to.deep.equal({});
    expect(byName.get("apps-quota")!.props).to.deep.equal({ metadata: { namespace: "apps" } });
  });

  it("uses the policy's own level, then the pack config's `all`, then the policy's entry", async () => {
    const levels = async (config: Record<string, unknown>, level?: "advisory" | "mandatory") =>
      (await runPolicies(record, config as never, onePolicyPack(level))).violations.map((v) => v.enforcementLevel);
    expect(await levels({}, "mandatory")).to.deep.equal(["mandatory"]);
    expect(await levels({})).to.deep.equal(["advisory"]);
    expect(await levels({ all: "mandatory" })).to.deep.equal(["mandatory"]);
    expect(await levels({ all: "mandatory", "flag-namespaces": "advisory" })).to.deep.equal(["advisory"]);
    expect(await levels({ "flag-namespaces": { enforcementLevel: "remediate" } })).to.deep.equal(["mandatory"]);
    expect(await levels({ "flag-namespaces": "disabled" }, "mandatory")).to.deep.equal([]);
  });

  it("gives getConfig the schema defaults overlaid with the policy's entry, without the enforcement level", async () => {
    const messages = async (config: Record<string, unknown>) => (await runPolicies(record, config as never, onePolicyPack())).violations.map((v) => v.message);
    expect(await messages({})).to.deep.equal(["namespace apps-ns (dflt)"]);
    expect(await messages({ "flag-namespaces": { enforcementLevel: "mandatory", note: "set" } })).to.deep.equal(["namespace apps-ns (set)"]);
  });

  it("rejects a pack config with unknown policies or properties, wrong types and bad levels, listing every problem", () => {
    const config = {
      all: "strict",
      "flag-namespace": "mandatory",
      "flag-namespaces": { enforcementLevel: "blocking", note: 3, limit: 0, extra: true },
    };
    expect(() => resolvePackConfig(onePolicyPack(), config as never)).to.throw(
      [
        "Invalid policy pack config (6 problems):",
        '  - all: "strict" is not an enforcement level (advisory|mandatory|remediate|disabled)',
        "  - flag-namespace: unknown policy (known: flag-namespaces)",
        '  - flag-namespaces.enforcementLevel: "blocking" is not one of advisory|mandatory|remediate|disabled',
        "  - flag-namespaces.note: expected string, got integer 3",
        "  - flag-namespaces.limit: must be at least 1, got 0",
        "  - flag-namespaces.extra: unknown property (known: note, limit)",
      ].join("\n"),
    );
  });

  it("checks the committed stack configs against the real pack and names a missing one", () => {
    for (const stack of ["staging", "production"]) expect(() => resolvePackConfig(policyPackArgs, loadPackConfig(stack))).to.not.throw();
    expect(() => loadPackConfig("qa")).to.throw('no policy pack config for stack "qa": create policy/config/qa.json');
  });

  it("skips a policy that declares itself not applicable, or whose typed validation names another type", async () => {
    const typed = Object.assign(() => {
      throw new Error("must not be called");
    }, { __pulumiType: "aws:s3/bucket:Bucket" });
    const pack: PolicyPackArgs = {
      policies: [
        { name: "na", description: "test", validateResource: (args) => args.notApplicable("only buckets") },
        { name: "typed", description: "test", validateResource: typed },
      ],
    };
    expect((await runPolicies(record, {}, pack)).violations).to.deep.equal([]);
  });

  it("turns a value unknown during preview into the analyzer's advisory note, and any other error into a failure", async () => {
    const unknown = planRecord([{ type: NS, name: "apps-ns", inputs: { metadata: { name: UNKNOWN_STRING } } }]);
    const reads: PolicyPackArgs = {
      policies: [{ name: "reads-name", description: "test", enforcementLevel: "mandatory", validateResource: (args) => void String(args.props.metadata.name) }],
    };
    expect((await runPolicies(unknown, {}, reads)).violations).to.deep.equal([
      { policy: "reads-name", enforcementLevel: "advisory", message: "can't run policy 'reads-name' during preview: string value at .metadata.name can't be known during preview" },
    ]);
    const throws: PolicyPackArgs = {
      policies: [
        {
          name: "broken",
          description: "test",
          validateResource: () => {
            throw new Error("boom");
          },
        },
      ],
    };
    let error: Error | undefined;
    await runPolicies(unknown, {}, throws).catch((e: Error) => (error = e));
    expect(error?.message).to.equal(`policy 'broken' failed on ${urnOf(NS, "apps-ns")}: boom`);
  });

  it("prints mandatory violations first, then advisories, and exits non-zero only on a mandatory one", async () => {
    const pack: PolicyPackArgs = {
      policies: [
        { name: "soft", description: "test", enforcementLevel: "advisory", validateStack: (_args, report) => report("stack-wide note") },
        { name: "hard", description: "test", enforcementLevel: "mandatory", validateResource: (args, report) => void (args.type === NS && report("blocked")) },
      ],
    };
    const report = await runPolicies(record, {}, pack);
    expect(formatViolations(report)).to.equal(
      [
        "",
        "Policy violations:",
        "  mandatory  hard  apps-ns",
        "             blocked",
        "  advisory   soft  (stack)",
        "             stack-wide note",
        "",
      ].join("\n"),
    );
    expect(formatViolations(report, ["mandatory"])).to.equal("\nPolicy violations:\n  mandatory  hard  apps-ns\n             blocked\n");
    expect([policySummary(report), policyExitCode(report)]).to.deep.equal(["policy: 1 mandatory, 1 advisory", 1]);
    const advisoryOnly = await runPolicies(record, { hard: "advisory" }, pack);
    expect([policySummary(advisoryOnly), policyExitCode(advisoryOnly), formatViolations(advisoryOnly, ["mandatory"])]).to.deep.equal([
      "policy: 0 mandatory, 2 advisory",
      0,
      "",
    ]);
    const none = await runPolicies(record, { all: "disabled" }, pack);
    expect([formatViolations(none), policySummary(none), none.stack]).to.deep.equal(["", "policy: 0 mandatory, 0 advisory", "test"]);
  });

  it("names every policy once, with a description and an explicit enforcement level", () => {
    const names = policies.map((p) => p.name);
    expect(new Set(names).size).to.equal(names.length);
    expect(names).to.have.lengthOf(25);
    for (const p of policies) {
      expect(p.description, p.name).to.be.a("string").and.not.equal("");
      expect(p.enforcementLevel, p.name).to.be.oneOf(["advisory", "mandatory"]);
    }
  });
});
