// Name checks that remember the strings they found valid: the same answers as the check itself, every time.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { forgetAll, Memory, remembered } from "../../api/validation/remembered.ts";

describe("remembered", () => {
  const lowercase = (s: string) => (/^[a-z]+$/.test(s) ? [] : [`${JSON.stringify(s)} is not lowercase`]);

  it("answers as the check does, for strings seen before or not", () => {
    const check = remembered(lowercase);
    fc.assert(fc.property(fc.array(fc.constantFrom("abc", "Abc", "", "x", "x y", "zz")), (values) => {
      for (const value of values) expect(check(value)).toEqual(lowercase(value));
    }));
  });

  it("runs the check once for a valid string, every time for an invalid one", () => {
    let calls = 0;
    const check = remembered((s) => {
      calls++;
      return lowercase(s);
    });
    for (let i = 0; i < 3; i++) check("abc");
    for (let i = 0; i < 3; i++) check("ABC");
    expect(calls).toBe(1 + 3);
  });

  it("forgets past its capacity, and still answers right", () => {
    let calls = 0;
    const check = remembered((s) => {
      calls++;
      return lowercase(s);
    });
    const words = Array.from({ length: 5000 }, (_, i) => i.toString(26).replace(/\d/g, (d) => "qrstuvwxyz"[Number(d)]!));
    for (const word of words) expect(check(word)).toEqual([]);
    calls = 0;
    for (const word of words) expect(check(word)).toEqual([]);
    expect(calls).toBeGreaterThan(0); // some were forgotten
  });

  it("keeps strings only, and not long ones", () => {
    const memory = new Memory();
    for (const value of ["abc", 5, null, "x".repeat(513), "x".repeat(512)]) memory.add(value);
    expect([memory.has("abc"), memory.has(5), memory.has(null), memory.has("x".repeat(513)), memory.has("x".repeat(512))]).toEqual([true, false, false, false, true]);
  });

  it("forgets everything at once with forgetAll", () => {
    let calls = 0;
    const check = remembered((s) => {
      calls++;
      return lowercase(s);
    });
    check("abc");
    forgetAll();
    check("abc");
    check("abc");
    expect(calls).toBe(2);
  });
});
