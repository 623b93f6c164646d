import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readJsonLines } from "../../src/policy/records/jsonl-file.ts";

const identity = (value: unknown) => value;

describe("readJsonLines", () => {
  it("leaves a half-written last line for the next read", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "paddock-jsonl-")), "records.jsonl");
    writeFileSync(file, '{"a":1}\n{"b":2}\n{"c":');

    expect(await readJsonLines(file, identity)).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it("rejects a complete line that is not JSON, naming it", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "paddock-jsonl-")), "records.jsonl");
    writeFileSync(file, '{"a":1}\nnot json\n');

    await expect(readJsonLines(file, identity)).rejects.toThrow(`${file}:2: unreadable record`);
  });
});
