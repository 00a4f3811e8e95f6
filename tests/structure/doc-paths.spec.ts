import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPOSITORY_ROOT } from "../../plan/run-program";

/**
 * The files and sections the documentation sends a reader to exist: every repository path it quotes in
 * backticks (`plan/diff.ts`, `tests/cluster/`) and every relative Markdown link, with its #anchor when it
 * names one. Paths with a placeholder (`policy/config/<stack>.json`) or a glob are left out.
 */

const DOCUMENTS = [
  "README.md",
  "policy/README.md",
  ...["components/alerting/runbooks", "components/apps/runbooks", "components/backups/runbooks"].flatMap((dir) =>
    fs
      .readdirSync(path.join(REPOSITORY_ROOT, dir))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `${dir}/${f}`),
  ),
];

// A backticked path counts only when it starts at one of the repository's top-level folders.
const REPOSITORY_PATH = /^(?:\.ci|\.github|bench|charts|components|docs|examples|lib|plan|policy|provider|stacks|tests)\/[\w./-]*$/;
// Quoted texts that look like such a path and are something else.
const NOT_REPOSITORY_PATHS = new Set([
  "provider/pkg/provider/diff.go", // in pulumi-kubernetes' repository, where --diff's replacement rules come from
  "policy/v1beta1", // a Kubernetes API version
]);

/** GitHub's anchor of a heading: lower case, punctuation other than '-' and '_' dropped, spaces as '-'. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchorsOf(file: string): Set<string> {
  const text = fs.readFileSync(path.join(REPOSITORY_ROOT, file), "utf8").replace(/^```[\s\S]*?^```/gm, "");
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => anchorOf(m[1])));
}

describe("documentation paths and links", () => {
  for (const doc of DOCUMENTS) {
    const text = fs.readFileSync(path.join(REPOSITORY_ROOT, doc), "utf8");

    it(`${doc}: every repository path it quotes exists`, () => {
      const quoted = [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1].trim()).filter((p) => REPOSITORY_PATH.test(p) && !NOT_REPOSITORY_PATHS.has(p));
      const missing = [...new Set(quoted)].filter((p) => !fs.existsSync(path.join(REPOSITORY_ROOT, p)));
      expect(missing, "quoted paths that do not exist").to.deep.equal([]);
    });

    it(`${doc}: every relative link reaches its file and section`, () => {
      const broken: string[] = [];
      for (const [link, target, anchor] of text.matchAll(/\]\(([^)\s#]*)(?:#([^)\s]+))?\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const file = target === "" ? doc : path.posix.normalize(path.posix.join(path.posix.dirname(doc), target));
        if (!fs.existsSync(path.join(REPOSITORY_ROOT, file))) broken.push(`${link}: no file ${file}`);
        else if (anchor && file.endsWith(".md") && !anchorsOf(file).has(anchor)) broken.push(`${link}: no section #${anchor} in ${file}`);
      }
      expect(broken).to.deep.equal([]);
    });
  }
});
