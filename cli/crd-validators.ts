// Validators for CRDs given with --crds (any operator's): checked as kube-apiserver checks a CRD on apply, then
// compiled as the generator would (generator/in-memory.ts). A CRD set that passed its checks is
// remembered in a cache keyed by its content, so the next run skips the checks and the heavy checker code.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { CustomResourceDefinition } from "../api/apiextensions.ts";
import { crdValidator } from "../generator/in-memory.ts";
import type { Problem } from "../generator/loader/problems.ts";
import { createAjv } from "../generator/schema/json-schema.ts";
import { expand, type InputProblem } from "./inputs.ts";
import type { KindValidator, ValidatorLookup } from "./validators.ts";

/** Bumped whenever what a cache entry means changes. */
const CACHE_FORMAT = "crdkit-crds-1";

/** $CRDKIT_CACHE_DIR, else the XDG cache folder. */
function defaultCacheDir(): string {
  return process.env.CRDKIT_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "crdkit");
}

export interface CrdValidators {
  lookup: ValidatorLookup;
  /** CRD files that could not be read, or CRDs a cluster would reject. */
  problems: InputProblem[];
}

export async function crdValidators(paths: readonly string[], cacheDir = defaultCacheDir()): Promise<CrdValidators> {
  const problems: InputProblem[] = [];
  const files = paths.flatMap((path) => expand(path, problems));
  const texts = files.map((file) => readFileSync(file, "utf8"));
  const key = createHash("sha256").update(CACHE_FORMAT);
  files.forEach((file, i) => key.update(`\0${file}\0${texts[i]}`));
  const cacheFile = join(cacheDir, `${key.digest("hex")}.json`);
  let crds = readCache(cacheFile);
  if (!crds) {
    const { checkCrds } = await import("../generator/loader/index.ts");
    const checked = checkCrds(files);
    if (checked.problems.length > 0) return { lookup: async () => undefined, problems: [...problems, ...checked.problems.map(asInputProblem)] };
    crds = checked.crds.map((c) => c.crd);
    writeCache(cacheFile, crds);
  }
  return { lookup: lookupIn(crds), problems };
}

/** A broken CRD, reported like unreadable input: its file, line and what a cluster would say. */
function asInputProblem({ file, line, column, path, rule, message }: Problem): InputProblem {
  return { file, ...(line !== undefined && { line, column: column ?? 1 }), message: `invalid CRD: ${path}: ${message} [${rule}]` };
}

function lookupIn(crds: readonly CustomResourceDefinition[]): ValidatorLookup {
  const ajv = createAjv();
  const validators = new Map<string, KindValidator>();
  const build = (crd: CustomResourceDefinition, version: CustomResourceDefinition["spec"]["versions"][number]): KindValidator =>
    ({ group: crd.spec.group, validate: crdValidator(crd, version, ajv) });
  return async (apiVersion, kind) => {
    const key = `${apiVersion}/${kind}`;
    if (!validators.has(key)) {
      for (const crd of crds) {
        const version = crd.spec.versions.find((v) => `${crd.spec.group}/${v.name}` === apiVersion && v.served);
        if (version && crd.spec.names.kind === kind) validators.set(key, build(crd, version));
      }
    }
    return validators.get(key);
  };
}

function readCache(file: string): CustomResourceDefinition[] | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as CustomResourceDefinition[];
  } catch {
    return undefined; // absent or unreadable: check the CRDs again
  }
}

/** Written to a temporary file and renamed, so a concurrent or interrupted run never reads half an entry. */
function writeCache(file: string, crds: readonly CustomResourceDefinition[]): void {
  try {
    mkdirSync(join(file, ".."), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(crds));
    renameSync(temporary, file);
  } catch {
    // a read-only or full disk only costs the next run its speed
  }
}
