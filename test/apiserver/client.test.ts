// The local API server through @kubernetes/client-node and crdkit's generated typed clients: watch, optimistic
// concurrency, the status subresource, generation, selectors, paging, resourceVersion semantics, finalizers,
// garbage collection, namespaces and admission, checked as a controller would see them.
import { readFileSync } from "node:fs";
import { CoreV1Api, KubernetesObjectApi, PatchStrategy, type KubernetesObject, type V1ConfigMap } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubernetesError, toKubernetesError, type WatchEvent } from "../../api/client.ts";
import type { OwnerReference } from "../../api/meta.ts";
import {
  analysisResultClient, approvalPolicyClient, proposalClient, type AnalysisResult, type Condition, type Proposal,
} from "../../generated/agentic.openshift.io/v1alpha1/index.ts";
import { loadCrds } from "../../generator/loader/index.ts";
import {
  CEL_NAMESPACE, celRejections, eventually, gauge, gaugeCrd, objectsOf, startTestServer, type TestObject, type TestServer,
} from "./support.ts";

const example = objectsOf(readFileSync("examples/agentic.openshift.io/proposal-remediation.yaml", "utf8"))[0] as unknown as Proposal;
const analysisExample = objectsOf(readFileSync("examples/agentic.openshift.io/analysisresult.yaml", "utf8"))[0] as unknown as AnalysisResult;
const proposal = (namespace: string, name: string, labels?: Record<string, string>): Proposal => ({ ...structuredClone(example), metadata: { namespace, name, ...(labels && { labels }) } });
const condition = (type: string): Condition => ({ type, status: "True", reason: "Done", message: "ok", lastTransitionTime: "2025-01-01T00:00:00Z" });

let ts: TestServer;
let proposals: ReturnType<typeof proposalClient>;
let core: CoreV1Api;
let namespaceCounter = 0;
/** A fresh namespace per test, so that tests do not see each other's objects. */
const freshNamespace = () => {
  const name = `ns-${++namespaceCounter}`;
  ts.createNamespaces(name);
  return name;
};
const errorOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return toKubernetesError(error) as KubernetesError;
  }
  throw new Error("expected the request to fail");
};
const ownerRef = (owner: Proposal, extra: Partial<OwnerReference> = {}): OwnerReference =>
  ({ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, ...extra });
const configMap = (namespace: string, name: string, ownerReferences?: OwnerReference[], finalizers?: string[]): V1ConfigMap =>
  ({ metadata: { namespace, name, ...(ownerReferences && { ownerReferences }), ...(finalizers && { finalizers }) }, data: { a: "b" } });
const exists = async (read: () => Promise<unknown>) => {
  try {
    await read();
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return false;
    throw error;
  }
};

/** A request as plain HTTP, for what client-node does not show (Warning headers) or would reshape (CRDs). */
const api = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${ts.server.url}${path}`, { method, headers: { "Content-Type": "application/json" }, ...(body !== undefined && { body: JSON.stringify(body) }) });
  const answer = (await response.json()) as { items?: { metadata: { name: string } }[]; metadata?: { labels?: Record<string, string> }; reason?: string; message?: string };
  return { code: response.status, warning: response.headers.get("warning"), body: answer };
};

beforeAll(async () => {
  ts = await startTestServer({ bookmarkIntervalMs: 100 });
  proposals = proposalClient(ts.kubeConfig);
  core = ts.kubeConfig.makeApiClient(CoreV1Api);
});
afterAll(() => ts.stop());

/** Collects a watch's events until stopped. */
async function watchEvents(options: Parameters<typeof proposals.watch>[0]) {
  const events: WatchEvent<Proposal>[] = [];
  let ended: unknown = "open";
  const controller = await proposals.watch(options, (e) => events.push(e), (error) => (ended = error));
  return { events, ended: () => ended, stop: () => controller.abort() };
}

describe("watch", () => {
  it("sees an object created, updated and deleted, in resourceVersion order", async () => {
    const ns = freshNamespace();
    const watch = await watchEvents({ namespace: ns });
    const created = await proposals.create(proposal(ns, "a"));
    await proposals.patch({ namespace: ns, name: "a" }, { spec: { revisionFeedback: "b" } });
    await proposals.delete({ namespace: ns, name: "a" });
    await eventually(() => (watch.events.length >= 3 ? true : undefined));
    watch.stop();
    expect(watch.events.map((e) => [e.type, e.object.metadata.name])).toEqual([["ADDED", "a"], ["MODIFIED", "a"], ["DELETED", "a"]]);
    const versions = watch.events.map((e) => Number(e.object.metadata.resourceVersion));
    expect(versions[0]).toBe(Number(created.metadata.resourceVersion));
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
    expect(watch.events[1]!.object.spec.revisionFeedback).toBe("b");
  });

  it("starts with the current objects, or replays the changes after a resourceVersion", async () => {
    const ns = freshNamespace();
    const first = await proposals.create(proposal(ns, "first"));
    await proposals.create(proposal(ns, "second"));
    await proposals.delete({ namespace: ns, name: "second" });
    const fromNow = await watchEvents({ namespace: ns });
    const replay = await watchEvents({ namespace: ns, resourceVersion: first.metadata.resourceVersion });
    await eventually(() => (fromNow.events.length >= 1 && replay.events.length >= 2 ? true : undefined));
    fromNow.stop();
    replay.stop();
    expect(fromNow.events.map((e) => [e.type, e.object.metadata.name])).toEqual([["ADDED", "first"]]);
    expect(replay.events.map((e) => [e.type, e.object.metadata.name])).toEqual([["ADDED", "second"], ["DELETED", "second"]]);
  });

  it("applies selectors to changes: an object that stops matching is DELETED for the watch", async () => {
    const ns = freshNamespace();
    const watch = await watchEvents({ namespace: ns, labelSelector: "team=sre" });
    await proposals.create(proposal(ns, "x", { team: "sre" }));
    await proposals.patch({ namespace: ns, name: "x" }, { metadata: { labels: { team: "dev" } } });
    await proposals.patch({ namespace: ns, name: "x" }, { metadata: { labels: { team: "sre" } } });
    await eventually(() => (watch.events.length >= 3 ? true : undefined));
    watch.stop();
    expect(watch.events.map((e) => e.type)).toEqual(["ADDED", "DELETED", "ADDED"]);
  });

  it("sends bookmarks when allowed, and marks the end of initial events", async () => {
    const ns = freshNamespace();
    await proposals.create(proposal(ns, "present"));
    const watch = await watchEvents({ namespace: ns, allowWatchBookmarks: true, sendInitialEvents: true, resourceVersionMatch: "NotOlderThan" } as never);
    await eventually(() => (watch.events.filter((e) => e.type === "BOOKMARK").length >= 2 ? true : undefined));
    watch.stop();
    expect(watch.events[0]).toMatchObject({ type: "ADDED", object: { metadata: { name: "present" } } });
    expect(watch.events[1]).toMatchObject({ type: "BOOKMARK", object: { kind: "Proposal", metadata: { annotations: { "k8s.io/initial-events-end": "true" } } } });
    expect(Number(watch.events[2]!.object.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(watch.events[0]!.object.metadata.resourceVersion));
  });
});

describe("optimistic concurrency, status and generation", () => {
  it("answers a stale update with 409 Conflict", async () => {
    const ns = freshNamespace();
    const created = await proposals.create(proposal(ns, "p"));
    await proposals.replace({ ...created, spec: { ...created.spec, revisionFeedback: "first" } });
    const error = await errorOf(proposals.replace({ ...created, spec: { ...created.spec, revisionFeedback: "second" } }));
    expect(error).toBeInstanceOf(KubernetesError);
    expect(error.status).toEqual({
      kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", reason: "Conflict", code: 409,
      message: 'Operation cannot be fulfilled on proposals.agentic.openshift.io "p": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: "p", group: "agentic.openshift.io", kind: "proposals" },
    });
    expect((await proposals.get({ namespace: ns, name: "p" })).spec.revisionFeedback).toBe("first");
  });

  it("requires a resourceVersion to update a custom resource", async () => {
    const ns = freshNamespace();
    const created = await proposals.create(proposal(ns, "p"));
    const { resourceVersion: _, ...metadata } = created.metadata;
    const error = await errorOf(proposals.replace({ ...created, metadata }));
    expect(error.code).toBe(422);
    expect(error.message).toBe('Proposal.agentic.openshift.io "p" is invalid: metadata.resourceVersion: Invalid value: "": must be specified for an update');
  });

  it("keeps status and spec apart: the main resource ignores status, /status ignores everything else", async () => {
    const ns = freshNamespace();
    const created = await proposals.create({ ...proposal(ns, "p"), status: { conditions: [condition("Analyzed")] } });
    expect(created.status).toBeUndefined(); // dropped on create
    const withStatus = await proposals.replaceStatus({ ...created, status: { conditions: [condition("Analyzed")] }, spec: { ...created.spec, revisionFeedback: "ignored" }, metadata: { ...created.metadata, labels: { ignored: "yes" } } });
    expect(withStatus.status?.conditions).toEqual([condition("Analyzed")]);
    expect(withStatus.spec.revisionFeedback).toBeUndefined();
    expect(withStatus.metadata.labels).toBeUndefined();
    expect(withStatus.metadata.generation).toBe(1);
    const main = await proposals.replace({ ...withStatus, status: { conditions: [condition("Denied")] }, spec: { ...withStatus.spec, revisionFeedback: "kept" } });
    expect(main.status?.conditions).toEqual([condition("Analyzed")]);
    expect(main.spec.revisionFeedback).toBe("kept");
    expect(main.metadata.generation).toBe(2);
  });

  it("bumps generation on spec changes only, and writes nothing for an update that changes nothing", async () => {
    const ns = freshNamespace();
    const created = await proposals.create(proposal(ns, "p"));
    const labelled = await proposals.patch({ namespace: ns, name: "p" }, { metadata: { labels: { x: "y" } } });
    expect(labelled.metadata.generation).toBe(1);
    const status = await proposals.patchStatus({ namespace: ns, name: "p" }, { status: { conditions: [condition("Analyzed")] } });
    expect(status.metadata.generation).toBe(1);
    const changed = await proposals.patch({ namespace: ns, name: "p" }, { spec: { revisionFeedback: "z" } });
    expect(changed.metadata.generation).toBe(2);
    const unchanged = await proposals.replace(changed);
    expect(unchanged.metadata.resourceVersion).toBe(changed.metadata.resourceVersion);
    expect(Number(changed.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
  });

  it("applies JSON patches, with a test operation as a precondition", async () => {
    const ns = freshNamespace();
    await proposals.create(proposal(ns, "p"));
    const patched = await proposals.patch({ namespace: ns, name: "p" }, [{ op: "test", path: "/spec/targetNamespaces/0", value: "payments" }, { op: "add", path: "/spec/revisionFeedback", value: "ok" }]);
    expect(patched.spec.revisionFeedback).toBe("ok");
    const failed = await errorOf(proposals.patch({ namespace: ns, name: "p" }, [{ op: "test", path: "/spec/revisionFeedback", value: "other" }]));
    expect([failed.code, failed.reason]).toEqual([422, "Invalid"]);
  });
});

describe("lists", () => {
  it("filters by label selectors (=, !=, in, notin, exists, !) and field selectors", async () => {
    const ns = freshNamespace();
    for (const [name, tier] of [["web", "web"], ["api", "api"], ["db", "db"], ["plain", undefined]] as const) {
      await proposals.create(proposal(ns, name, tier ? { tier } : undefined));
    }
    const names = async (options: { labelSelector?: string; fieldSelector?: string }) =>
      (await proposals.list({ namespace: ns, ...options })).items.map((p) => p.metadata.name);
    expect(await names({ labelSelector: "tier=web" })).toEqual(["web"]);
    expect(await names({ labelSelector: "tier!=web" })).toEqual(["api", "db", "plain"]);
    expect(await names({ labelSelector: "tier in (web, api)" })).toEqual(["api", "web"]);
    expect(await names({ labelSelector: "tier notin (web,api)" })).toEqual(["db", "plain"]);
    expect(await names({ labelSelector: "tier" })).toEqual(["api", "db", "web"]);
    expect(await names({ labelSelector: "!tier" })).toEqual(["plain"]);
    expect(await names({ fieldSelector: "metadata.name=db" })).toEqual(["db"]);
    expect(await names({ fieldSelector: "metadata.name!=db,metadata.namespace=" + ns, labelSelector: "tier" })).toEqual(["api", "web"]);
    const unsupported = await errorOf(proposals.list({ namespace: ns, fieldSelector: "spec.request=x" }));
    expect([unsupported.code, unsupported.message]).toEqual([400, "field label not supported: spec.request"]);
    const malformed = await errorOf(proposals.list({ namespace: ns, labelSelector: "tier in web" }));
    expect(malformed.code).toBe(400);
  });

  it("pages with limit and continue, consistently at the first page's resourceVersion", async () => {
    const ns = freshNamespace();
    const all = ["a", "b", "c", "d", "e", "f", "g"];
    for (const name of all) await proposals.create(proposal(ns, name));
    const first = await proposals.list({ namespace: ns, limit: 3 });
    expect(first.items.map((p) => p.metadata.name)).toEqual(["a", "b", "c"]);
    expect(first.metadata.remainingItemCount).toBe(4);
    await proposals.create(proposal(ns, "bb")); // created after the first page: not part of this list
    await proposals.delete({ namespace: ns, name: "e" }); // deleted after the first page: still part of it
    const seen = [...first.items];
    let token = first.metadata.continue;
    while (token) {
      const page = await proposals.list({ namespace: ns, limit: 3, continue: token });
      expect(page.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
      seen.push(...page.items);
      token = page.metadata.continue;
    }
    expect(seen.map((p) => p.metadata.name)).toEqual(all);
    const invalid = await errorOf(proposals.list({ namespace: ns, continue: "not-a-token" }));
    expect(invalid.code).toBe(400);
  });

  it("lists across namespaces in namespace/name order", async () => {
    const [one, two] = [freshNamespace(), freshNamespace()];
    await proposals.create(proposal(two, "a"));
    await proposals.create(proposal(one, "b"));
    const items = (await proposals.list({ labelSelector: "" })).items.filter((p) => [one, two].includes(p.metadata.namespace!));
    expect(items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual([`${one}/b`, `${two}/a`]);
  });
});

describe("resourceVersion history", () => {
  let small: TestServer;
  beforeAll(async () => {
    small = await startTestServer({ historySize: 10, crds: ["crds/agentic.openshift.io/proposals.yaml"] });
    small.createNamespaces("h");
  });
  afterAll(() => small.stop());

  it("answers a watch from a compacted resourceVersion with a 410 Expired ERROR event, and an old continue with 410", async () => {
    const client = proposalClient(small.kubeConfig);
    const first = await client.create(proposal("h", "p0"));
    await client.create(proposal("h", "p1"));
    const page = await client.list({ namespace: "h", limit: 1 });
    for (let i = 0; i < 15; i++) await client.patch({ namespace: "h", name: "p0" }, { spec: { revisionFeedback: `v${i}` } });
    const events: WatchEvent<unknown>[] = [];
    let done: unknown = "open";
    await client.watch({ namespace: "h", resourceVersion: first.metadata.resourceVersion }, (e) => events.push(e), (error) => (done = error));
    await eventually(() => (done !== "open" ? true : undefined));
    expect(events).toHaveLength(1);
    expect(events[0]!.type).toBe("ERROR");
    expect(events[0]!.object).toMatchObject({ kind: "Status", status: "Failure", reason: "Expired", code: 410, message: expect.stringMatching(new RegExp(`^too old resource version: ${first.metadata.resourceVersion} \\(\\d+\\)$`)) });
    const gone = await errorOf(client.list({ namespace: "h", limit: 1, continue: page.metadata.continue }));
    expect([gone.code, gone.reason]).toEqual([410, "Expired"]);
    expect(gone.message).toMatch(/^The provided continue parameter is too old to display a consistent list result\./);
    expect(gone.status.metadata?.continue).toBeTruthy();
  });
});

describe("finalizers and deletion", () => {
  it("keeps an object with finalizers, marked with deletionTimestamp, until the last finalizer is removed", async () => {
    const ns = freshNamespace();
    await proposals.create({ ...proposal(ns, "held"), metadata: { namespace: ns, name: "held", finalizers: ["example.com/hold", "example.com/second"] } });
    const watch = await watchEvents({ namespace: ns });
    const deleting = await proposals.delete({ namespace: ns, name: "held" }) as Proposal;
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    expect(deleting.metadata.generation).toBe(2);
    const added = await errorOf(proposals.patch({ namespace: ns, name: "held" }, { metadata: { finalizers: ["example.com/hold", "example.com/second", "example.com/new"] } }));
    expect(added.message).toBe('Proposal.agentic.openshift.io "held" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/new"}');
    const again = await proposals.delete({ namespace: ns, name: "held" }) as Proposal;
    expect(again.metadata.deletionTimestamp).toBe(deleting.metadata.deletionTimestamp);
    await proposals.patch({ namespace: ns, name: "held" }, [{ op: "remove", path: "/metadata/finalizers/1" }]);
    expect((await proposals.get({ namespace: ns, name: "held" })).metadata.finalizers).toEqual(["example.com/hold"]);
    await proposals.patch({ namespace: ns, name: "held" }, { metadata: { finalizers: null } } as never);
    expect(await exists(() => proposals.get({ namespace: ns, name: "held" }))).toBe(false);
    await eventually(() => (watch.events.some((e) => e.type === "DELETED") ? true : undefined));
    watch.stop();
    expect(watch.events.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "MODIFIED", "DELETED"]);
  });

  it("checks delete preconditions", async () => {
    const ns = freshNamespace();
    await proposals.create(proposal(ns, "p"));
    const response = await fetch(`${ts.server.url}/apis/agentic.openshift.io/v1alpha1/namespaces/${ns}/proposals/p`, {
      method: "DELETE", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ preconditions: { uid: "someone-else" } }),
    });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { message: string }).message).toMatch(/^Operation cannot be fulfilled on proposals\.agentic\.openshift\.io "p": Precondition failed: UID in precondition: someone-else, UID in object meta: /);
  });
});

describe("garbage collection", () => {
  it("deletes dependents in the background once their owner is gone", async () => {
    const ns = freshNamespace();
    const owner = await proposals.create(proposal(ns, "owner"));
    const results = analysisResultClient(ts.kubeConfig);
    await results.create({ ...structuredClone(analysisExample), metadata: { namespace: ns, name: "owned-result", ownerReferences: [ownerRef(owner, { controller: true })] } });
    await core.createNamespacedConfigMap({ namespace: ns, body: configMap(ns, "owned-cm", [ownerRef(owner)]) });
    await core.createNamespacedConfigMap({ namespace: ns, body: configMap(ns, "free-cm") });
    await proposals.delete({ namespace: ns, name: "owner" });
    await eventually(async () => (!(await exists(() => results.get({ namespace: ns, name: "owned-result" }))) && !(await exists(() => core.readNamespacedConfigMap({ namespace: ns, name: "owned-cm" }))) ? true : undefined));
    expect(await exists(() => core.readNamespacedConfigMap({ namespace: ns, name: "free-cm" }))).toBe(true);
  });

  it("keeps an object with a second, living owner, dropping the reference to the one that is gone", async () => {
    const ns = freshNamespace();
    const [gone, alive] = [await proposals.create(proposal(ns, "gone")), await proposals.create(proposal(ns, "alive"))];
    await core.createNamespacedConfigMap({ namespace: ns, body: configMap(ns, "shared", [ownerRef(gone), ownerRef(alive)]) });
    await proposals.delete({ namespace: ns, name: "gone" });
    const refs = await eventually(async () => {
      const cm = await core.readNamespacedConfigMap({ namespace: ns, name: "shared" });
      return cm.metadata?.ownerReferences?.length === 1 ? cm.metadata.ownerReferences : undefined;
    });
    expect(refs.map((r) => r.name)).toEqual(["alive"]);
  });

  it("deletes an object whose owner never existed", async () => {
    const ns = freshNamespace();
    const phantom = { ...proposal(ns, "phantom"), metadata: { name: "phantom", uid: "00000000-0000-0000-0000-000000000000" } } as Proposal;
    await core.createNamespacedConfigMap({ namespace: ns, body: configMap(ns, "orphaned", [ownerRef(phantom)]) });
    await eventually(async () => (!(await exists(() => core.readNamespacedConfigMap({ namespace: ns, name: "orphaned" }))) ? true : undefined));
  });

  it("holds a foreground deletion until the dependents that block it are gone", async () => {
    const ns = freshNamespace();
    const owner = await proposals.create(proposal(ns, "owner"));
    await core.createNamespacedConfigMap({ namespace: ns, body: configMap(ns, "blocker", [ownerRef(owner, { blockOwnerDeletion: true })], ["example.com/hold"]) });
    const deleting = await proposals.delete({ namespace: ns, name: "owner" }, { propagationPolicy: "Foreground" }) as Proposal;
    expect(deleting.metadata.finalizers).toContain("foregroundDeletion");
    const blocker = await eventually(async () => {
      const cm = await core.readNamespacedConfigMap({ namespace: ns, name: "blocker" });
      return cm.metadata?.deletionTimestamp ? cm : undefined;
    });
    expect(blocker.metadata?.finalizers).toEqual(["example.com/hold"]);
    expect(await exists(() => proposals.get({ namespace: ns, name: "owner" }))).toBe(true);
    await core.patchNamespacedConfigMap({ namespace: ns, name: "blocker", body: [{ op: "remove", path: "/metadata/finalizers" }] });
    await eventually(async () => (!(await exists(() => proposals.get({ namespace: ns, name: "owner" }))) ? true : undefined));
  });

  it("orphans dependents with propagationPolicy Orphan", async () => {
    const ns = freshNamespace();
    const owner = await proposals.create(proposal(ns, "owner"));
    await core.createNamespacedConfigMap({ namespace: ns, body: configMap(ns, "kept", [ownerRef(owner)]) });
    await proposals.delete({ namespace: ns, name: "owner" }, { propagationPolicy: "Orphan" });
    await eventually(async () => (!(await exists(() => proposals.get({ namespace: ns, name: "owner" }))) ? true : undefined));
    const kept = await core.readNamespacedConfigMap({ namespace: ns, name: "kept" });
    expect(kept.metadata?.ownerReferences ?? []).toEqual([]);
  });
});

describe("namespaces", () => {
  it("deletes everything in a deleted namespace, waits for finalizers, and refuses new content meanwhile", async () => {
    const ns = freshNamespace();
    await proposals.create(proposal(ns, "inside"));
    await core.createNamespacedConfigMap({ namespace: ns, body: configMap(ns, "held", undefined, ["example.com/hold"]) });
    const deleting = await core.deleteNamespace({ name: ns });
    expect(deleting).toMatchObject({ status: { phase: "Terminating" } });
    await eventually(async () => (!(await exists(() => proposals.get({ namespace: ns, name: "inside" }))) ? true : undefined));
    const refused = await errorOf(proposals.create(proposal(ns, "late")));
    expect(refused.status).toMatchObject({
      code: 403, reason: "Forbidden",
      message: `proposals.agentic.openshift.io "late" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
      details: { causes: [{ reason: "NamespaceTerminating", field: "metadata.namespace" }] },
    });
    expect(await exists(() => core.readNamespace({ name: ns }))).toBe(true); // the held ConfigMap keeps it
    await core.patchNamespacedConfigMap({ namespace: ns, name: "held", body: [{ op: "remove", path: "/metadata/finalizers" }] });
    await eventually(async () => (!(await exists(() => core.readNamespace({ name: ns }))) ? true : undefined));
  });

  it("refuses objects in a namespace that does not exist, and the deletion of system namespaces", async () => {
    const missing = await errorOf(proposals.create(proposal("nowhere", "p")));
    expect([missing.code, missing.message]).toEqual([404, 'namespaces "nowhere" not found']);
    const system = await errorOf(core.deleteNamespace({ name: "default" }).catch((e: unknown) => {
      throw new KubernetesError(JSON.parse((e as { body: string }).body), 403);
    }));
    expect(system.message).toBe('namespaces "default" is forbidden: this namespace may not be deleted');
  });
});

describe("CRDs served at run time", () => {
  const gadgets = {
    apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "gadgets.example.com" },
    spec: {
      group: "example.com", scope: "Namespaced", names: { kind: "Gadget", plural: "gadgets" },
      versions: [{
        name: "v1", served: true, storage: true, selectableFields: [{ jsonPath: ".spec.color" }],
        schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { color: { type: "string" } } } } } },
      }],
    },
  };
  const gadget = (name: string, color: string, finalizers?: string[]) =>
    ({ apiVersion: "example.com/v1", kind: "Gadget", metadata: { name, ...(finalizers && { finalizers }) }, spec: { color } });

  it("selects by a CRD's selectableFields, and deletes the CRD's objects before the CRD itself", async () => {
    const ns = freshNamespace();
    expect((await api("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", gadgets)).code).toBe(201);
    const collection = `/apis/example.com/v1/namespaces/${ns}/gadgets`;
    for (const [name, color] of [["a", "red"], ["b", "blue"]] as const) expect((await api("POST", collection, gadget(name, color))).code).toBe(201);
    expect((await api("POST", collection, gadget("held", "red", ["example.com/hold"]))).code).toBe(201);
    const red = await api("GET", `${collection}?fieldSelector=spec.color%3Dred`);
    expect(red.body.items?.map((g) => g.metadata.name)).toEqual(["a", "held"]);

    expect((await api("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com")).code).toBe(200);
    await eventually(async () => ((await api("GET", collection)).body.items?.length === 1 ? true : undefined)); // the held one
    const refused = await api("POST", collection, gadget("late", "red"));
    expect([refused.code, refused.body.reason, refused.body.message]).toEqual([405, "MethodNotAllowed", "create not allowed while custom resource definition is terminating"]);
    expect((await api("PATCH", `${collection}/held`, { metadata: { finalizers: null } })).code).toBe(415); // needs a patch content type
    const response = await fetch(`${ts.server.url}${collection}/held`, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: JSON.stringify({ metadata: { finalizers: null } }) });
    expect(response.status).toBe(200);
    await eventually(async () => ((await api("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com")).code === 404 ? true : undefined));
    expect((await api("GET", collection)).code).toBe(404);
  });
});

describe("admission", () => {
  const crd = (kind: string) => loadCrds(["crds"]).find(({ crd }) => crd.spec.names.kind === kind)!.crd;

  it("applies schema defaults", async () => {
    const spec = crd("ApprovalPolicy").spec.versions[0]!.schema.openAPIV3Schema.properties!.spec!;
    const defaulted = Object.entries(spec.properties!).filter(([, p]) => p.default !== undefined);
    expect(defaulted.length).toBeGreaterThan(0);
    const policies = approvalPolicyClient(ts.kubeConfig);
    const created = await policies.create({ apiVersion: "agentic.openshift.io/v1alpha1", kind: "ApprovalPolicy", metadata: { name: "cluster" }, spec: {} });
    for (const [name, property] of defaulted) expect((created.spec as Record<string, unknown>)[name]).toEqual(property.default);
  });

  it("prunes unknown fields, warning about each", async () => {
    const ns = freshNamespace();
    const response = await fetch(`${ts.server.url}/apis/agentic.openshift.io/v1alpha1/namespaces/${ns}/proposals`, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...proposal(ns, "p"), spec: { ...example.spec, colour: "blue" }, extra: 1, metadata: { name: "p", shoeSize: 44 } }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("warning")).toBe('299 - "unknown field \\"metadata.shoeSize\\"", 299 - "unknown field \\"extra\\"", 299 - "unknown field \\"spec.colour\\""');
    const stored = await proposals.get({ namespace: ns, name: "p" });
    expect(stored.spec).toEqual(example.spec);
    expect(stored).not.toHaveProperty("extra");
  });

  it("answers an invalid object with kube's 422 Status, field paths in details.causes", async () => {
    const ns = freshNamespace();
    const { request: _, ...spec } = example.spec;
    const error = await errorOf(proposals.create({ ...proposal(ns, "Bad_Name"), spec: { ...spec, targetNamespaces: [] } as unknown as Proposal["spec"] }));
    const nameRule = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    const causes = [
      { reason: "FieldValueInvalid", field: "metadata.name", message: `Invalid value: "Bad_Name": ${nameRule}` },
      { reason: "FieldValueInvalid", field: "spec.targetNamespaces", message: "Invalid value: 0: spec.targetNamespaces in body should have at least 1 items" },
      { reason: "FieldValueRequired", field: "spec.request", message: "Required value" },
      // A missing required field keeps kube from running the CEL rules, and it says so.
      { reason: "FieldValueInvalid", field: "<nil>", message: "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation" },
    ];
    expect(error.status).toMatchObject({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", reason: "Invalid", code: 422, details: { name: "Bad_Name", group: "agentic.openshift.io", kind: "Proposal" } });
    const returned = error.status.details!.causes!;
    expect(returned).toHaveLength(causes.length);
    expect(returned).toEqual(expect.arrayContaining(causes)); // in the validation engine's order
    expect(error.message).toBe(`Proposal.agentic.openshift.io "Bad_Name" is invalid: [${returned.map((c) => `${c.field}: ${c.message}`).join(", ")}]`);
  });

  it("generates names, rejects duplicates and server-owned fields, and dry-runs without storing", async () => {
    const ns = freshNamespace();
    // (crdkit's typed clients want a name, so generateName goes through client-node's CoreV1Api.)
    const generated = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { generateName: "gen-" } } });
    expect(generated.metadata?.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    await proposals.create(proposal(ns, "taken"));
    const duplicate = await errorOf(proposals.create(proposal(ns, "taken")));
    expect([duplicate.code, duplicate.message]).toEqual([409, 'proposals.agentic.openshift.io "taken" already exists']);
    const withVersion = await errorOf(proposals.create({ ...proposal(ns, "v"), metadata: { namespace: ns, name: "v", resourceVersion: "5" } }));
    expect([withVersion.code, withVersion.message]).toEqual([500, "Internal error occurred: resourceVersion should not be set on objects to be created"]);
    const dry = await proposals.create(proposal(ns, "dry"), { dryRun: "All" });
    expect(dry.metadata.uid).toBeDefined();
    expect(await exists(() => proposals.get({ namespace: ns, name: "dry" }))).toBe(false);
  });
});

describe("CEL rules", () => {
  let objects: KubernetesObjectApi;
  /** The Status kube-apiserver answers a write refused for one field error with. */
  const invalidStatus = (object: TestObject, cause: { reason: string; field: string; message: string }) => {
    const [group] = object.apiVersion.split("/");
    return {
      kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", reason: "Invalid", code: 422,
      message: `${object.kind}.${group} "${object.metadata.name}" is invalid: ${cause.field}: ${cause.message}`,
      details: { name: object.metadata.name, group, kind: object.kind, causes: [cause] },
    };
  };
  // client-node's typings want Dates for timestamps; these objects are JSON as the server sees it.
  const create = (object: TestObject) => objects.create(object as KubernetesObject);
  const at = (object: TestObject, resourceVersion: string | undefined) => ({ ...object, metadata: { ...object.metadata, resourceVersion } });
  const replace = (object: TestObject, resourceVersion: string | undefined) => objects.replace(at(object, resourceVersion) as KubernetesObject);

  beforeAll(() => {
    objects = KubernetesObjectApi.makeApiClient(ts.kubeConfig);
    ts.createNamespaces(CEL_NAMESPACE);
  });

  it.each(celRejections)("refuses $title with kube's 422 Status", async ({ existing, object, cause }) => {
    const write = existing ? replace(object, (await create(existing)).metadata!.resourceVersion) : create(object);
    expect((await errorOf(write)).status).toEqual(invalidStatus(object, cause));
  });

  it("enforces the CEL rules of a CRD created at run time, and warns in a Warning header about a ratcheted rule", async () => {
    // The CRD as plain JSON: client-node's CRD model would drop `x-kubernetes-validations` (it wants x_kubernetes_validations).
    const crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    expect((await api("POST", crds, gaugeCrd(100))).code).toBe(201);
    const tooBig = gauge("g", { max: 150, unit: "C" });
    expect((await errorOf(create(tooBig))).status).toEqual(invalidStatus(tooBig, { reason: "FieldValueInvalid", field: "spec.max", message: "Invalid value: 150: must be at most 100" }));
    const { resourceVersion } = (await create(gauge("g", { max: 80, unit: "C" }))).metadata!;
    const unitChanged = gauge("g", { max: 80, unit: "F" });
    expect((await errorOf(replace(unitChanged, resourceVersion))).status).toEqual(invalidStatus(unitChanged, { reason: "FieldValueInvalid", field: "spec.unit", message: 'Invalid value: "F": unit is immutable' }));

    const crd = await api("GET", `${crds}/gauges.example.com`);
    expect((await api("PUT", `${crds}/gauges.example.com`, { ...gaugeCrd(50), metadata: crd.body.metadata })).code).toBe(200);
    // The stored 80 now breaks the rule: left as it is, it is only warned about (client-node does not show warnings).
    const relabelled = await api("PUT", `/apis/example.com/v1/namespaces/${CEL_NAMESPACE}/gauges/g`, at(gauge("g", { max: 80, unit: "C" }, { site: "north" }), resourceVersion));
    expect([relabelled.code, relabelled.warning, relabelled.body.metadata?.labels]).toEqual([200, '299 - "spec.max: Invalid value: 80: must be at most 50"', { site: "north" }]);
    // Changed, it is refused.
    const raised = gauge("g", { max: 90, unit: "C" });
    expect((await errorOf(objects.patch(raised as KubernetesObject, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch))).status).toEqual(invalidStatus(raised, { reason: "FieldValueInvalid", field: "spec.max", message: "Invalid value: 90: must be at most 50" }));
    expect((await api("DELETE", `${crds}/gauges.example.com`)).code).toBe(200);
  });

  it("stops a CRD's rules at kube's runtime cost limit of one evaluation", async () => {
    // One rule over up to 2,000 words of up to 100 letters, each matched against a 400-character pattern: estimated
    // at ~2.2M per evaluation, more than the 1M limit a cluster allows one at run time.
    const pattern = `^[a-z]+$|^${"z".repeat(390)}$`;
    const crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    const words = {
      type: "array", maxItems: 2000, items: { type: "string", maxLength: 100 },
      "x-kubernetes-validations": [{ rule: `self.all(w, w.matches('${pattern}'))`, message: "lowercase only" }],
    };
    expect((await api("POST", crds, {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "glossaries.example.com" },
      spec: {
        group: "example.com",
        names: { kind: "Glossary", plural: "glossaries" },
        scope: "Namespaced",
        versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { words } } } } } }],
      },
    })).code).toBe(201);
    const path = `/apis/example.com/v1/namespaces/${CEL_NAMESPACE}/glossaries`;
    const glossary = (name: string, count: number) =>
      ({ apiVersion: "example.com/v1", kind: "Glossary", metadata: { name }, spec: { words: Array.from({ length: count }, () => "abcdefghij".repeat(10)) } });
    await eventually(async () => ((await api("GET", path)).code === 200 ? true : undefined));
    expect((await api("POST", path, glossary("short", 500))).code).toBe(201); // ~550k
    const long = await api("POST", path, glossary("long", 1000)); // ~1.1M
    expect([long.code, (long.body as { details?: { causes?: unknown[] } }).details?.causes]).toEqual([422, [{
      reason: "FieldValueInvalid",
      field: "spec.words",
      message: "Invalid value: \"array\": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: lowercase only",
    }]]);
    expect((await api("DELETE", `${crds}/glossaries.example.com`)).code).toBe(200);
  });
});
