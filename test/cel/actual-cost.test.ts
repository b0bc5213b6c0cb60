// Metered programs (compile.ts, `meter`) count cel-go's actual cost as its cost tracker does: identifiers and field
// selections 1, a presence test what its operand costs, calls their overload's runtime cost (else 1), list and map
// literals 10 and 30, `&&`, `||` and `?:` nothing of their own; and they stop past the per-call limit.
import { describe, expect, it } from "vitest";
import { rt } from "../../api/cel/environment.ts";
import { PER_CALL_LIMIT, type CostMeter } from "../../api/cel/runtime.ts";
import type { CelValue } from "../../api/cel/values.ts";
import { compileRuleExpression } from "../../api/validation/compile-rules.ts";

function metered(expression: string, self: unknown): { result: unknown; cost: number } {
  const { source } = compileRuleExpression(expression, true);
  const evaluate = (new Function(`return ${source}`)() as (runtime: typeof rt) => (vars: object, meter: CostMeter) => CelValue)(rt);
  const meter = { cost: 0 };
  let result: unknown;
  try {
    result = evaluate({ self }, meter);
  } catch (error) {
    result = (error as Error).message;
  }
  return { result, cost: meter.cost };
}

describe("metered programs", () => {
  it.each([
    // self, .a, .b, and == on two one-character strings (a tenth of the shorter, rounded up)
    ["self.a.b == 'x'", { a: { b: "x" } }, true, 4],
    // a presence test costs its operand only: self, self, and the ! call
    ["!has(self.a) || has(self.b)", { a: 1 }, false, 3],
    // self; per item: @not_strictly_false(@result) 2, @result && x.size() > 2 4; then @result
    ["self.all(x, x.size() > 2)", ["abc", "defg"], true, 14],
    // self; [] 10; per item: @result 1, [..] 10, x 1, x + 'a' 1, list + list 1; @result, size(), >
    ["self.map(x, x + 'a').size() > 0", ["a", "b", "c"], true, 56],
    // self, and matches: ceil((1 + 4) / 10) * ceil(4 / 4)
    ["self.matches('^a+$')", "aaaa", true, 2],
    ["[1, 2, 3].size() == 3", null, true, 12],
    ["self.a ? 1 : 2", { a: true }, 1n, 2],
  ] as const)("%s costs what cel-go's tracker counts", (expression, self, result, cost) => {
    expect(metered(expression, self)).toEqual({ result, cost });
  });

  it("stop an evaluation past the per-call limit, as cel-go cancels it", () => {
    const words = Array.from({ length: 100_000 }, () => "x".repeat(100));
    const { result, cost } = metered("self.all(w, w.matches('^x+$'))", words);
    expect(result).toBe("operation cancelled: actual cost limit exceeded");
    // stopped by the charge that passed the limit: w.matches costs ceil(101 / 10) * ceil(4 / 4) = 11
    expect(cost).toBeGreaterThan(PER_CALL_LIMIT);
    expect(cost).toBeLessThanOrEqual(PER_CALL_LIMIT + 11);
  });
});
