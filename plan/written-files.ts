import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { osCacheDir } from "./cache-dir";

/**
 * What writePlan wrote into a plan folder last time: per file its size, modification time and a digest of
 * what decided its text (the text itself, or the data and code it is written from:
 * plan/chart-manifest-texts.ts). A file whose size and time are still those, and whose new text has the same
 * digest, is left alone without reading it, and its text need not even be written: reading back the previous
 * plan's hundreds of manifests (some 13 MB for production) to compare them cost more than writing them. Anything else (no record, a file changed or
 * touched since, another text) goes the careful way: read, compare, write only if different. The record
 * lives in the OS cache folder, keyed by the plan folder's absolute path, so the plan folder holds exactly
 * the plan; losing it only costs the next plan those reads. Records of plan folders that no longer exist
 * (the tests plan into temporary folders) are deleted whenever a new folder gets its first record.
 */
interface Written {
  readonly size: number;
  readonly mtimeMs: number;
  readonly digest: string;
}

const RECORDS_DIR = path.join(osCacheDir(), "platform", "written-plans");

/** A record file: the plan folder it describes, and its files. */
interface RecordFile {
  readonly dir: string;
  readonly files: Record<string, Written>;
}

export class WrittenFiles {
  private readonly record: Record<string, Written> | undefined;
  private readonly next: Record<string, Written> = {};

  private constructor(
    private readonly outDir: string,
    private readonly file: string,
  ) {
    this.record = readRecord(file)?.files;
  }

  static of(outDir: string): WrittenFiles {
    return new WrittenFiles(path.resolve(outDir), WrittenFiles.recordFile(outDir));
  }

  /** Where the record of the plan folder `outDir` lives. */
  static recordFile(outDir: string): string {
    const key = crypto.createHash("sha1").update(path.resolve(outDir)).digest("hex").slice(0, 20);
    return path.join(RECORDS_DIR, `${key}.json`);
  }

  /**
   * Makes `relative` hold `text()`, reading or writing the file only when needed. `digest` identifies the
   * text; without one (resources.json: hashing its megabytes costs more than comparing them) the file is
   * compared byte for byte every time.
   */
  write(relative: string, digest: string | undefined, text: () => string): void {
    const file = path.join(this.outDir, relative);
    const known = this.record?.[relative];
    if (digest !== undefined && known?.digest === digest) {
      const stat = statOf(file);
      if (stat && stat.size === known.size && stat.mtimeMs === known.mtimeMs) {
        this.next[relative] = known;
        return;
      }
    }
    const content = Buffer.from(text());
    const before = statOf(file);
    // An unchanged file keeps its bytes and its mtime; one of another size differs without reading it.
    if (!(before && before.size === content.length && fs.readFileSync(file).equals(content))) fs.writeFileSync(file, content);
    if (digest === undefined) return;
    const stat = fs.statSync(file);
    this.next[relative] = { size: stat.size, mtimeMs: stat.mtimeMs, digest };
  }

  /** Stores what this plan wrote (only its files), for the next plan into the same folder. */
  save(): void {
    try {
      fs.mkdirSync(RECORDS_DIR, { recursive: true });
      if (!this.record) removeRecordsOfGoneFolders();
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ dir: this.outDir, files: this.next } satisfies RecordFile));
      fs.renameSync(tmp, this.file);
    } catch {
      // A read-only cache folder only costs the next plan the comparisons.
    }
  }
}

function readRecord(file: string): RecordFile | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(file, "utf8")) as RecordFile;
    return typeof record.dir === "string" && record.files !== null && typeof record.files === "object" ? record : undefined;
  } catch {
    // No record yet, or an unreadable one: every file is compared by its content.
    return undefined;
  }
}

function removeRecordsOfGoneFolders(): void {
  for (const name of fs.readdirSync(RECORDS_DIR)) {
    // Another plan's record being written (`.tmp`) is left to it.
    if (!name.endsWith(".json")) continue;
    const file = path.join(RECORDS_DIR, name);
    const dir = recordedFolder(file);
    if (dir === undefined || !fs.existsSync(dir)) fs.rmSync(file, { force: true });
  }
}

/**
 * The plan folder a record describes, read from the record's first bytes: `save` writes `dir` first, and a
 * production plan's record lists some 500 files, so parsing every record whole to learn one path each cost
 * more than the pruning saved. A record that does not start that way is not one `save` wrote.
 */
function recordedFolder(file: string): string | undefined {
  let head: string;
  try {
    const fd = fs.openSync(file, "r");
    try {
      const buffer = Buffer.alloc(RECORD_HEAD_BYTES);
      head = buffer.toString("utf8", 0, fs.readSync(fd, buffer, 0, buffer.length, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const match = /^\{"dir":("(?:[^"\\]|\\.)*")/.exec(head);
  if (!match) return undefined;
  try {
    return JSON.parse(match[1]) as string;
  } catch {
    return undefined;
  }
}

/** Enough for any folder path (PATH_MAX is 4,096 bytes; JSON escapes add a little). */
const RECORD_HEAD_BYTES = 16 * 1024;

function statOf(file: string): fs.Stats | undefined {
  return fs.statSync(file, { throwIfNoEntry: false });
}
