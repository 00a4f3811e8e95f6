import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { UNUSED_DAYS } from "../../plan/once-a-day";
import { pruneUnusedRenders } from "../../plan/render-cache-pruning";

// The render cache keeps an entry (every file named by one key) while some plan used any of its files within
// UNUSED_DAYS, and looks at most once a day. What a plan marks as used: tests/plan/chart-render.spec.ts.

const DAY = 24 * 60 * 60 * 1000;

describe("plan: the render cache drops what no plan has used for a month", () => {
  let dir: string;
  const now = Date.parse("2026-11-30T12:00:00Z");
  const file = (name: string, daysAgo: number) => {
    fs.writeFileSync(path.join(dir, name), "{}");
    const at = new Date(now - daysAgo * DAY);
    fs.utimesSync(path.join(dir, name), at, at);
  };
  const left = () => fs.readdirSync(dir).sort();
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-render-prune-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("deletes every file of an entry none of whose files was used within the limit, and keeps the others whole", () => {
    file("aaa.json", UNUSED_DAYS + 1);
    file("aaa.manifests-0123456789abcdef.json", UNUSED_DAYS + 5);
    file("aaa.manifest-digests-0123456789abcdef.json", UNUSED_DAYS + 5);
    file("bbb.json", UNUSED_DAYS + 10);
    file("bbb.manifests-0123456789abcdef.json", 2); // texts written two days ago: the entry is in use
    file("ccc.values-ok", UNUSED_DAYS - 1);
    file("ddd.chart.json", UNUSED_DAYS + 40);
    const removed = pruneUnusedRenders(dir, now);
    expect(removed).to.deep.equal(["aaa.json", "aaa.manifest-digests-0123456789abcdef.json", "aaa.manifests-0123456789abcdef.json", "ddd.chart.json"]);
    expect(left()).to.deep.equal([".pruned", "bbb.json", "bbb.manifests-0123456789abcdef.json", "ccc.values-ok"]);
  });

  it("looks at most once a day, and leaves files being written alone", () => {
    file("aaa.json", UNUSED_DAYS + 1);
    expect(pruneUnusedRenders(dir, now)).to.deep.equal(["aaa.json"]);
    file("bbb.json", UNUSED_DAYS + 1);
    file("ccc.json.123.tmp", UNUSED_DAYS + 1);
    expect(pruneUnusedRenders(dir, now + DAY / 2)).to.deep.equal([]);
    expect(pruneUnusedRenders(dir, now + DAY + 1)).to.deep.equal(["bbb.json"]);
    expect(left()).to.deep.equal([".pruned", "ccc.json.123.tmp"]);
  });

  it("does nothing for a cache folder that does not exist yet", () => {
    expect(pruneUnusedRenders(path.join(dir, "none"), now)).to.deep.equal([]);
    expect(fs.existsSync(path.join(dir, "none"))).to.equal(false);
  });
});
