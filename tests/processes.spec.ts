import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { NODE } from "./harness";
import { freePort, listenOnLoopback, portRange } from "./processes";

const ROOT = path.join(__dirname, "..");
const EPHEMERAL_FROM = Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);

async function closeServer(server: net.Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe("ports for the servers tests start (tests/processes.ts freePort)", () => {
  it("splits the ports below the ephemeral range into disjoint slices, one per lane", () => {
    expect(portRange(32_768, undefined)).to.deep.equal({ from: 20_000, to: 32_768 });
    expect(portRange(32_768, "")).to.deep.equal({ from: 20_000, to: 32_768 });
    const slices = [0, 1, 2].map((i) => portRange(32_768, `${i}/3`));
    expect(slices).to.deep.equal([
      { from: 20_000, to: 24_256 },
      { from: 24_256, to: 28_512 },
      { from: 28_512, to: 32_768 },
    ]);
    // A kernel whose ephemeral ports start higher (macOS: 49152) still gets the same ports: all below 32768.
    expect(portRange(49_152, "1/3")).to.deep.equal({ from: 24_256, to: 28_512 });
    // One set lower is kept out of.
    expect(portRange(30_000, "1/2")).to.deep.equal({ from: 25_000, to: 30_000 });
  });

  it("refuses a malformed slice, and a kernel leaving too few ports below its ephemeral range", () => {
    expect(() => portRange(32_768, "3/3")).to.throw('TEST_PORT_SLICE must be <index>/<count> with index < count, got "3/3"');
    expect(() => portRange(32_768, "lane-1")).to.throw('got "lane-1"');
    expect(() => portRange(20_500, undefined)).to.throw("freePort: the ephemeral ports start at 20500, leaving too few below them from 20000");
  });

  it("hands out ports below the kernel's ephemeral range, so no listen(0) or outgoing connection can take one", async () => {
    const port = await freePort();
    const range = portRange(EPHEMERAL_FROM, process.env.TEST_PORT_SLICE);
    expect(port).to.be.at.least(range.from).and.below(range.to).and.below(EPHEMERAL_FROM);
    const server = net.createServer();
    const any = await listenOnLoopback(server);
    await closeServer(server);
    expect(any, "listen(0)").to.be.at.least(EPHEMERAL_FROM);
    // The port is free: the server it was meant for can listen on it.
    const meant = net.createServer();
    expect(await listenOnLoopback(meant, port)).to.equal(port);
    await closeServer(meant);
  });

  it("never hands out a port twice in a process, and passes over one something listens on", async () => {
    const ports = [];
    for (let i = 0; i < 50; i++) ports.push(await freePort());
    expect(new Set(ports).size).to.equal(50);
    const last = ports[ports.length - 1];
    const range = portRange(EPHEMERAL_FROM, process.env.TEST_PORT_SLICE);
    const taken = last + 1 < range.to ? last + 1 : range.from;
    const occupant = net.createServer();
    await listenOnLoopback(occupant, taken);
    try {
      const next = await freePort();
      expect(next).to.not.equal(taken);
      expect(next).to.equal(taken + 1 < range.to ? taken + 1 : range.from);
    } finally {
      await closeServer(occupant);
    }
  });

  it("takes a lane's slice from TEST_PORT_SLICE, the way tests/run-suite.js sets it", function () {
    this.timeout(60_000);
    const program = 'require("./tests/processes").freePort().then((p) => { console.log(p); process.exit(0); })';
    const ports = ["0/3", "2/3"].map((slice) => {
      const out = execFileSync(NODE, ["--require", "tsx/cjs", "-e", program], { cwd: ROOT, env: { ...process.env, TEST_PORT_SLICE: slice }, encoding: "utf8" });
      return { slice, port: Number(out.trim()) };
    });
    for (const { slice, port } of ports) {
      const range = portRange(EPHEMERAL_FROM, slice);
      expect(port, slice).to.be.at.least(range.from).and.below(range.to);
    }
    const suite = fs.readFileSync(path.join(ROOT, "tests", "run-suite.js"), "utf8");
    expect(suite).to.include("TEST_PORT_SLICE: `${index}/${lanes.length}`");
  });
});
