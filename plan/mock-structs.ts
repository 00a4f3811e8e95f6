/**
 * Plain Structs for the mock monitor. The SDK hands every registration's inputs to the monitor as a protobuf
 * Struct (`Struct.fromJavaScript` in runtime/resource.js), and the mock monitor at once reads them back with
 * `toJavaScript()`. In process, with no wire between them, building and walking that tree of messages was
 * the largest share of what each added resource cost a plan, and the garbage it left behind a good part of
 * the rest. While the recording mock monitor is the SDK's monitor, `Struct.fromJavaScript` therefore keeps
 * the data instead: `toJavaScript()` gives back what the real Struct gives (a copy, object keys sorted, as
 * google-protobuf's map iterates them), the same errors for values a Struct cannot hold, and anything else
 * that reads the message (its fields map, serialisation, toObject) finds the real fields, filled on first use.
 * With any other monitor (the real engine, in a test process that also ran mocks) Structs are built as always.
 */

interface StructModule {
  Struct: StructClass;
  Value: { fromJavaScript(value: unknown): unknown };
}

interface StructInstance {
  getFieldsMap(noLazyCreate?: boolean): { set(key: string, value: unknown): unknown };
  toJavaScript(): Record<string, unknown>;
}

interface StructClass {
  new (): StructInstance;
  prototype: StructInstance;
  fromJavaScript(value: unknown): StructInstance;
}

/** The type names google-protobuf's `goog.typeOf` gives and Value.fromJavaScript accepts; anything else throws there. */
function structKind(value: unknown): "string" | "number" | "boolean" | "null" | "array" | "object" | undefined {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  const kind = typeof value;
  return kind === "string" || kind === "number" || kind === "boolean" || kind === "object" ? kind : undefined;
}

/** A copy of `value` as a Struct round trip returns it (object keys sorted); undefined when a Struct would refuse it. */
function structCopy(value: unknown): { ok: boolean; value?: unknown } {
  const kind = structKind(value);
  if (kind === undefined) return { ok: false };
  if (kind === "array") {
    const items = value as unknown[];
    const out: unknown[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = structCopy(items[i]);
      if (!item.ok) return item;
      out.push(item.value);
    }
    return { ok: true, value: out };
  }
  if (kind !== "object") return { ok: true, value };
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  // Struct.fromJavaScript walks `for...in` (inherited enumerable keys too) and its map iterates keys sorted.
  const keys: string[] = [];
  for (const key in record) keys.push(key);
  for (const key of keys.sort()) {
    const item = structCopy(record[key]);
    if (!item.ok) return item;
    // Struct.toJavaScript assigns `ret[key] = ...`, which for "__proto__" sets the prototype.
    out[key] = item.value;
  }
  return { ok: true, value: out };
}

let installed = false;

/**
 * Makes `Struct.fromJavaScript` keep plain data while `useLight()` says the recording mock monitor is the
 * SDK's monitor. Installed once per process; the SDK looks the function up on the shared module at each call.
 */
export function installMockStructs(useLight: () => boolean): void {
  if (installed) return;
  installed = true;
  const structs = require("google-protobuf/google/protobuf/struct_pb.js") as StructModule;
  const { Struct, Value } = structs;
  const build = Struct.fromJavaScript.bind(Struct);
  const realFieldsMap = Struct.prototype.getFieldsMap;

  class PlainStruct extends Struct {
    private filled = false;

    constructor(private readonly data: Record<string, unknown>) {
      super();
    }

    override toJavaScript(): Record<string, unknown> {
      // Once the fields exist they are the truth: a reader may have changed them.
      if (this.filled) return super.toJavaScript();
      return structCopy(this.data).value as Record<string, unknown>;
    }

    override getFieldsMap(noLazyCreate?: boolean): ReturnType<StructInstance["getFieldsMap"]> {
      if (!this.filled) {
        this.filled = true;
        const map = realFieldsMap.call(this, false);
        for (const key of Object.keys(this.data)) map.set(key, Value.fromJavaScript(this.data[key]));
      }
      return realFieldsMap.call(this, noLazyCreate);
    }
  }

  Struct.fromJavaScript = (value: unknown): StructInstance => {
    if (!useLight()) return build(value);
    const copy = structCopy(value);
    // What a Struct cannot hold fails in the real conversion, with its own message.
    if (!copy.ok || structKind(value) !== "object") return build(value);
    return new PlainStruct(copy.value as Record<string, unknown>);
  };
}
