import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { platformAlerts } from "../../components/alerting/rules";
import { alertCatalogue, END, OWNERSHIP_END, OWNERSHIP_START, README, START, withCatalogue } from "../../docs/alert-catalogue";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { rulesContext, stackThresholds } from "./fixtures/thresholds";

/** The catalogue script as npm runs it (npm run docs:alerts -- …), on `readme`. */
function runScript(readme: string, ...args: string[]) {
  const tsx = path.join(REPOSITORY_ROOT, "node_modules", ".bin", "tsx");
  return spawnSync(tsx, [path.join(REPOSITORY_ROOT, "docs", "alert-catalogue.ts"), "--readme", readme, ...args], { encoding: "utf8", cwd: REPOSITORY_ROOT });
}

describe("README alert catalogue", () => {
  const rows = alertCatalogue().split("\n").slice(2);

  it("is up to date: the README holds exactly what npm run docs:alerts generates", () => {
    const readme = fs.readFileSync(README, "utf8");
    expect(withCatalogue(readme) === readme, "README.md's alert catalogue is out of date: run npm run docs:alerts").to.equal(true);
  });

  it("lists every alert of the rules once per severity, with its owner and runbook section", () => {
    for (const stack of ["staging", "production"] as const) {
      const alerts = platformAlerts(stackThresholds(stack), rulesContext(stack));
      const expected = [...new Set(alerts.map((a) => `${a.alert} ${a.labels.severity} ${a.labels.team} ${a.runbook}.md#${a.alert.toLowerCase()}`))];
      // An alert owned in every namespace names both teams in one row: "application (app namespaces), infrastructure (other namespaces)".
      const listed = rows.flatMap((row) => {
        const [alert, severity, teams, runbook] = row.split(" | ").map((cell) => cell.replace(/^\| /, "").replace(/ \|$/, ""));
        return teams.split(", ").map((team) => `${/`(\w+)`/.exec(alert)![1]} ${severity} ${team.replace(/ \(.*\)$/, "")} ${/^\[([^\]]+)\]/.exec(runbook)![1]}`);
      });
      expect(listed, stack).to.deep.equal(expected);
    }
    // Links resolve inside the repository.
    for (const row of rows) {
      const target = /\]\(([^)#]+)#/.exec(row)![1];
      expect(fs.existsSync(path.join(REPOSITORY_ROOT, target)), target).to.equal(true);
    }
  });

  describe("npm run docs:alerts", () => {
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "alert-catalogue-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("--check fails on a hand-edited catalogue; without it, the section is regenerated and the rest kept", function () {
      this.timeout(60_000);
      const readme = path.join(dir, "README.md");
      const current = fs.readFileSync(README, "utf8");
      fs.writeFileSync(readme, current.replace("| `ServiceDown` | critical |", "| `ServiceDown` | warning |"));
      const check = runScript(readme, "--check");
      expect([check.status, check.stderr.trim()]).to.deep.equal([1, "README.md: the alert catalogue is out of date: run npm run docs:alerts"]);
      const write = runScript(readme);
      expect([write.status, write.stdout.trim()]).to.deep.equal([0, "README.md: alert catalogue updated"]);
      expect(fs.readFileSync(readme, "utf8")).to.equal(current);
      expect(runScript(readme, "--check").status).to.equal(0);
    });

    it("refuses a README without the markers", () => {
      expect(() => withCatalogue("# platform\n")).to.throw(`README.md has no alert catalogue section: add the lines\n${START}\n${END}`);
      expect(() => withCatalogue(`# platform\n${START}\n${END}\n`)).to.throw(`README.md has no symptom ownership section: add the lines\n${OWNERSHIP_START}\n${OWNERSHIP_END}`);
    });
  });
});
