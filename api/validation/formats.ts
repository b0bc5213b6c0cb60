// The string formats kube-apiserver 1.35 checks in custom resources (apiextensions-apiserver's
// supportedVersionedFormats at compatibility version 1.34, validated by kube-openapi's strfmt registry).
// Any other format is ignored, as kube does. Names are compared without dashes: `date-time` is `datetime`.

/** A format's name as kube's registry looks it up: dashes removed. */
export const normalizeFormat = (format: string): string => format.replaceAll("-", "");

const rx = (source: string, flags = "") => {
  const re = new RegExp(source, flags);
  return (s: string) => re.test(s);
};

const uuid = (third: string, fourth: string) => rx(`^[0-9a-f]{8}-?[0-9a-f]{4}-?${third}-?${fourth}-?[0-9a-f]{12}$`, "i");
const SHORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LONG_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const HOSTNAME = /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9\-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z0-9\p{S}\p{L}])(-?[a-zA-Z0-9\p{S}\p{L}]){1,62})$/u;
const utf8Length = (s: string) => Buffer.byteLength(s, "utf8");

/** Validators by normalized name, each answering as kube's strfmt.Default registry does. */
export const KUBE_FORMATS: Readonly<Record<string, (value: string) => boolean>> = {
  bsonobjectid: rx("^[0-9a-fA-F]{24}$"),
  uri: isRequestUri,
  email: isEmail,
  hostname: (s) => HOSTNAME.test(s) && utf8Length(s) <= 255 && s.split(".").every((label) => utf8Length(label) <= 63),
  ipv4: (s) => parseIp(s) && s.includes("."),
  ipv6: (s) => parseIp(s) && s.includes(":"),
  cidr: isCidr,
  mac: rx("^(?:[0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){5}|[0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){7}|[0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){19}|[0-9a-fA-F]{4}(?:\\.[0-9a-fA-F]{4}){2}|[0-9a-fA-F]{4}(?:\\.[0-9a-fA-F]{4}){3}|[0-9a-fA-F]{4}(?:\\.[0-9a-fA-F]{4}){9})$"),
  uuid: uuid("[0-9a-f]{4}", "[0-9a-f]{4}"),
  uuid3: uuid("3[0-9a-f]{3}", "[0-9a-f]{4}"),
  uuid4: uuid("4[0-9a-f]{3}", "[89ab][0-9a-f]{3}"),
  uuid5: uuid("5[0-9a-f]{3}", "[89ab][0-9a-f]{3}"),
  isbn: (s) => isIsbn10(s) || isIsbn13(s),
  isbn10: isIsbn10,
  isbn13: isIsbn13,
  creditcard: isCreditCard,
  ssn: (s) => s.length === 11 && /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(s),
  hexcolor: rx("^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"),
  rgbcolor: rx("^rgb\\(\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*,\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*,\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*\\)$"),
  byte: rx("^(?:[A-Za-z0-9+\\/]{4})*(?:[A-Za-z0-9+\\/]{2}==|[A-Za-z0-9+\\/]{3}=|[A-Za-z0-9+\\/]{4})$"),
  password: () => true,
  date: isDate,
  duration: isDuration,
  datetime: isDateTime,
  quantity: rx("^[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?\\d+)?$"),
  k8sshortname: (s) => s.length <= 63 && SHORT_NAME.test(s),
  k8slongname: (s) => s.length <= 253 && LONG_NAME.test(s),
};

/** True if kube checks `format` on values of `type` (other formats are stripped from the schema). */
export function isCheckedFormat(format: string, type: string | undefined): boolean {
  return (type === undefined || type === "string") && normalizeFormat(format) in KUBE_FORMATS;
}

/** time.Parse("2006-01-02", s): a real calendar day, fixed widths. */
function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** strfmt.IsDateTime: a date, a `t`, and hh:mm:ss[.frac] with `z` or ±hh:mm, compared case-insensitively. */
function isDateTime(s: string): boolean {
  const parts = s.toLowerCase().split("t");
  if (s.length < 4 || parts.length < 2 || !isDate(parts[0]!)) return false;
  const m = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/.exec(parts[1]!);
  return m !== null && m[1]! <= "23" && m[2]! <= "59" && m[3]! <= "59";
}

/** strfmt.ParseDuration: Go's time.ParseDuration, or Scala-style `3 days 4 hours`. */
function isDuration(s: string): boolean {
  return isGoDuration(s) || scalaDuration(s) !== undefined;
}

/** strfmt's Scala-style units: the spellings of each (the last one also as a prefix: `hours`), and nanoseconds. */
const SCALA_UNITS: readonly [readonly string[], bigint][] = [
  [["ns", "nano"], 1n],
  [["us", "µs", "micro"], 1_000n],
  [["ms", "milli"], 1_000_000n],
  [["s", "sec"], 1_000_000_000n],
  [["m", "min"], 60_000_000_000n],
  [["h", "hr", "hour"], 3_600_000_000_000n],
  [["d", "day"], 86_400_000_000_000n],
  [["w", "wk", "week"], 604_800_000_000_000n],
];

/**
 * strfmt.ParseDuration's fallback when Go's time.ParseDuration fails, in nanoseconds: every `<digits> <unit>` found
 * in the string whose unit it knows, summed with Go's int64 overflow; undefined when none is.
 */
export function scalaDuration(s: string): bigint | undefined {
  let total: bigint | undefined;
  for (const [, digits, raw] of s.matchAll(/(\d+)\s*([A-Za-zµ]+)/g)) {
    const factor = BigInt(digits!);
    if (factor > 2n ** 63n - 1n) return undefined; // strconv.Atoi fails
    const unit = raw!.toLowerCase();
    for (const [variants, nanos] of SCALA_UNITS) {
      variants.forEach((variant, i) => {
        if ((i === variants.length - 1 && unit.startsWith(variant)) || variant === unit) total = BigInt.asIntN(64, (total ?? 0n) + factor * nanos);
      });
    }
  }
  return total;
}

function isGoDuration(s: string): boolean {
  if (/^[-+]?0$/.test(s)) return true;
  const body = /^[-+]?((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(s);
  if (!body) return false;
  const nanos: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, "μs": 1e3, ms: 1e6, s: 1e9, m: 6e10, h: 3.6e12 };
  let total = 0;
  for (const [, n, unit] of s.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(n) * nanos[unit!]!;
  return total <= 2 ** 63 - 1; // time.ParseDuration rejects durations beyond int64 nanoseconds
}

/** net/url.ParseRequestURI: an absolute URI or an absolute path, no control characters, valid escapes. */
function isRequestUri(s: string): boolean {
  if (s === "" || /[\x00-\x1f\x7f]/.test(s)) return false;
  if (s === "*") return true;
  const validEscapes = (t: string) => !/%(?![0-9a-fA-F]{2})/.test(t);
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(s);
  if (!scheme && /^[a-zA-Z0-9+.-]*:/.test(s)) return false; // "missing protocol scheme"
  let rest = (scheme ? s.slice(scheme[0].length) : s).split("?")[0]!;
  if (!rest.startsWith("/")) return scheme !== null; // rootless paths after a scheme are opaque
  if (scheme && rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash < 0 ? "" : rest.slice(slash);
    const host = authority.slice(authority.lastIndexOf("@") + 1);
    const port = host.startsWith("[") ? host.slice(host.indexOf("]") + 1) : host.slice(Math.max(0, host.lastIndexOf(":")));
    if (host.startsWith("[") && !host.includes("]")) return false;
    if (port !== "" && port !== host && !/^:\d*$/.test(port)) return false;
    if (!validEscapes(host) || /[ {}|\\^`]/.test(host)) return false;
  }
  return validEscapes(rest);
}

/** net/mail.ParseAddress for the common shapes: `local@domain` or `Name <local@domain>`. */
function isEmail(s: string): boolean {
  const atom = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-\\u0080-\\uFFFF]+";
  const dotAtom = `${atom}(?:\\.${atom})*`;
  const addrSpec = `(?:${dotAtom}|"(?:[^"\\\\]|\\\\.)*")@(?:${dotAtom}|\\[[^\\[\\]\\\\]*\\])`;
  const phrase = `(?:${atom}|"(?:[^"\\\\]|\\\\.)*")(?:\\s+(?:${atom}|"(?:[^"\\\\]|\\\\.)*"))*`;
  return new RegExp(`^\\s*(?:${addrSpec}|(?:${phrase})?\\s*<${addrSpec}>)\\s*$`).test(s);
}

/** net.ParseIP: dotted IPv4 without leading zeros, or IPv6 (possibly ending in IPv4), no zone. */
function parseIp(s: string): boolean {
  const v4 = (t: string) => /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(t);
  if (v4(s)) return true;
  const lastColon = s.lastIndexOf(":");
  if (lastColon < 0) return false;
  const embedded = s.slice(lastColon + 1);
  // An embedded IPv4 address stands for the last two groups.
  const text = embedded.includes(".") ? (v4(embedded) ? `${s.slice(0, lastColon + 1)}0:0` : "") : s;
  const halves = text.split("::");
  if (text === "" || halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === "" ? [] : half.split(":")));
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? groups.length < 8 : groups.length === 8;
}

/** net.ParseCIDR: an address and a prefix length that fits it. */
function isCidr(s: string): boolean {
  const slash = s.indexOf("/");
  if (slash < 0) return false;
  const [address, prefix] = [s.slice(0, slash), s.slice(slash + 1)];
  if (!parseIp(address) || !/^\d+$/.test(prefix)) return false;
  return Number(prefix) <= (address.includes(":") ? 128 : 32);
}

function isIsbn10(s: string): boolean {
  const digits = s.replace(/[\s-]+/g, "");
  if (!/^(?:[0-9]{9}X|[0-9]{10})$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (i + 1) * (digits[i] === "X" ? 10 : Number(digits[i]));
  return sum % 11 === 0;
}

function isIsbn13(s: string): boolean {
  const digits = s.replace(/[\s-]+/g, "");
  if (!/^[0-9]{13}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(digits[i]) * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10 === Number(digits[12]);
}

/** govalidator.IsCreditCard: a known card number pattern (separators ignored) passing the Luhn check. */
function isCreditCard(s: string): boolean {
  const digits = s.replace(/[^0-9]+/g, "");
  if (!/^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11})$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1 && (d *= 2) > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}
