import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { ComponentCatalog } from "./fixtures/components";
import { sourceFiles } from "./fixtures/import-graph";

/**
 * The house style of a component (the design guide, after pulumi-eks and cdk8s-plus): an optional argument documents its
 * default with `@default`, and the constructor ends by registering outputs a consumer can use.
 */
describe("component style", function () {
  // The type checker reads components/ and everything it imports.
  this.timeout(120_000);
  let catalog: ComponentCatalog;
  before(() => {
    catalog = new ComponentCatalog(REPOSITORY_ROOT);
  });

  it("finds the program's components (so the checks below cannot pass on nothing)", () => {
    const names = catalog.classes.map((c) => c.name);
    expect(names).to.include.members(["Platform", "BlueGreenApp", "AlertmanagerConfigSecret", "MonitoringStack", "PostgresBackup", "DatabaseBackups", "Gateway", "IrsaRole"]);
    // The same count as a plain text search finds: the checker recognises every way the program writes it.
    const written = sourceFiles(REPOSITORY_ROOT)
      .filter((file) => file.startsWith("components/"))
      .reduce((n, file) => n + (fs.readFileSync(path.join(REPOSITORY_ROOT, file), "utf8").match(/extends pulumi\.ComponentResource\b/g) ?? []).length, 0);
    expect(names.length, "component classes").to.equal(written);
  });

  it("every optional argument of every component states its default with @default", () => {
    const optional = catalog.optionalArguments();
    // The walk reaches nested settings, e.g. an app's hpa, so it sees what a reader of the Args sees.
    expect(optional.map((o) => o.path)).to.include.members(["BlueGreenApp.app.hpa", "DatabaseBackups.replica", "AlertmanagerConfigSecret.secrets.heartbeatUrl"]);
    const undocumented = optional.filter((o) => !o.hasDefault).map((o) => `${o.path} (${o.declaredAt})`);
    expect(undocumented).to.deep.equal([]);
  });

  it("every constructor ends with this.registerOutputs({...}) naming at least one output", () => {
    const problems: string[] = [];
    for (const component of catalog.classes) {
      const body = component.constructorDeclaration?.body;
      const last = body?.statements.at(-1);
      const call = last && ts.isExpressionStatement(last) && ts.isCallExpression(last.expression) ? last.expression : undefined;
      const isRegister = call !== undefined && ts.isPropertyAccessExpression(call.expression) && call.expression.expression.kind === ts.SyntaxKind.ThisKeyword && call.expression.name.text === "registerOutputs";
      if (!isRegister) {
        problems.push(`${component.name} (${component.file}): the constructor does not end with this.registerOutputs(...)`);
        continue;
      }
      const [outputs] = call!.arguments;
      if (outputs === undefined || !ts.isObjectLiteralExpression(outputs) || outputs.properties.length === 0) {
        problems.push(`${component.name} (${component.file}): registerOutputs(${outputs?.getText() ?? ""}) registers nothing a consumer can use`);
      }
    }
    expect(problems).to.deep.equal([]);
  });
});
