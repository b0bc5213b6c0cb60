// The contract between CEL function libraries and everything that uses them: the type checker reads the
// signatures, the cost estimator the cost functions, compiled rules and the reference interpreter the
// implementations. Every function a rule may call, standard or Kubernetes, is one Overload.
import type { CelScalar, CelValue } from "./values.ts";

/**
 * A CEL type as text, as cel-go prints it: `int`, `uint`, `double`, `bool`, `string`, `bytes`, `null_type`,
 * `dyn`, `list(T)`, `map(K, V)`, `optional_type(T)`, `type(T)`, `google.protobuf.Timestamp`,
 * `google.protobuf.Duration`, library types such as `kubernetes.URL`, `net.IP`, `net.CIDR`, `kubernetes.Quantity`,
 * `kubernetes.Semver`, `kubernetes.NamedFormat`; single capital letters (`A`, `B`) are type parameters.
 */
export type TypeText = string;

/** Size range (e.g. string length, list length) of an argument, as the cost estimator knows it. */
export interface SizeEstimate {
  min: number;
  max: number;
}

/** Cost range of one call, in cel-go cost units. */
export interface CostEstimate {
  min: number;
  max: number;
}

/** What the cost estimator knows about one operand of a call besides its size. */
export interface OperandEstimate {
  /** The operand's checked type as cel-go prints it: `string`, `list(string)`, `net.IP`. */
  type: TypeText;
  /** For a list: the size range of one element (e.g. the length of string items, from their maxLength). */
  elementSize?: SizeEstimate;
  /** The operand's value when written as a literal (e.g. the limit of `s.split(',', 2)`). */
  literal?: CelScalar;
}

export interface Overload {
  /** Unique id in cel-go's style, e.g. `string_find_string`, `add_int64`. */
  id: string;
  /** The function name as rules write it: `find`, `isURL`, `format.dns1123Label`, or an operator such as `_+_`. */
  name: string;
  /** For methods (`s.find(re)`): the receiver type; the implementation gets the receiver as first argument. */
  receiver?: TypeText;
  params: TypeText[];
  result: TypeText;
  impl: (...args: never[]) => CelValue;
  /**
   * The implementation for a constant last argument (a regex pattern), prepared once: what compiled programs
   * call, with the other arguments, where the argument is a literal. What it throws for a bad constant, each call
   * throws, as `impl` would.
   */
  specialize?: (constant: never) => (...args: never[]) => CelValue;
  /**
   * Estimated cost of the call itself (operands are costed separately) given the sizes of receiver and
   * arguments (receiver first), following k8s.io/apiserver/pkg/cel/library/cost.go; `operands` tells more
   * where a size is not enough. Omitted means a constant 1, except for the standard functions whose cost
   * cel-go's estimator builds in (string traversal of startsWith/endsWith/contains/matches, string and
   * bytes comparison and concatenation, `in` on lists, equality, string/bytes conversion): api/cel/cost.ts
   * applies those itself.
   */
  cost?: (sizes: readonly SizeEstimate[], operands: readonly OperandEstimate[]) => CostEstimate;
  /** Size of the result, when the estimator can know it (e.g. `split` returns at most len(s)+1 items). */
  resultSize?: (sizes: readonly SizeEstimate[], operands: readonly OperandEstimate[]) => SizeEstimate;
  /** Actual cost at run time from the actual arguments; omitted means the estimate's max, or 1. */
  runtimeCost?: (args: readonly CelValue[]) => number;
}

/** A named group of overloads (one Kubernetes CEL library, or the standard functions). */
export interface Library {
  name: string;
  overloads: readonly Overload[];
  /** Types the library names as identifiers, usable as values: `type(ip('::1')) == net.IP`. */
  types?: readonly TypeText[];
}
