// The generated typed clients against a real HTTP server on loopback: the requests they send (verb, REST path,
// query parameters, Content-Type, body), what they make of kube-apiserver's answers, errors included, and watch.
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import {
  KubernetesError,
  type JsonPatchOperation,
  type MergePatch,
  type ObjectKey,
  type ResourceClient,
  type Scope,
  type WatchEvent,
} from "../../api/client.ts";
import type { KubernetesList, KubernetesObject, Status } from "../../api/meta.ts";
import type { ResourceType } from "../../api/resource.ts";
import {
  AgentResource,
  agentClient,
  ProposalResource,
  proposalClient,
  type Agent,
  type Condition,
  type Proposal,
} from "../../generated/agentic.openshift.io/v1alpha1/index.ts";
import { failure, RecordingServer, type RecordedRequest, type WatchAnswer } from "../support/recording-server.ts";

const API = "/apis/agentic.openshift.io/v1alpha1";

let server: RecordingServer;
let kc: KubeConfig;

beforeAll(async () => {
  server = await RecordingServer.start();
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "t", server: server.url, skipTLSVerify: true }],
    users: [{ name: "u" }],
    contexts: [{ name: "c", cluster: "t", user: "u" }],
    currentContext: "c",
  });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const proposal: Proposal = {
  apiVersion: "agentic.openshift.io/v1alpha1",
  kind: "Proposal",
  metadata: { namespace: "ns", name: "name", labels: { team: "sre" } },
  spec: { request: "Pod web-0 in ns is crash-looping", targetNamespaces: ["ns"], analysis: {} },
};

const agent: Agent = {
  apiVersion: "agentic.openshift.io/v1alpha1",
  kind: "Agent",
  metadata: { name: "default" },
  spec: { llmProvider: { name: "anthropic" }, model: "claude-opus-4-6" },
};

/** The object as the API server answers with it once stored. */
function stored<T extends KubernetesObject>(object: T, resourceVersion = "42"): T {
  const metadata = { ...object.metadata, uid: `uid-${object.metadata.name}`, resourceVersion, generation: 1, creationTimestamp: "2025-06-01T12:00:00Z" };
  return { ...object, metadata };
}

const ready: { conditions: Condition[] } = {
  conditions: [{ type: "Ready", status: "True", reason: "ProviderFound", message: "", lastTransitionTime: "2025-06-01T12:00:05Z" }],
};

/** Resolves to what the promise rejected with; fails the test if it resolved. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then((value) => expect.unreachable(`resolved with ${JSON.stringify(value)}`), (error: unknown) => error);
}

interface ExpectedRequest {
  method: string;
  path: string;
  query?: Record<string, string>;
  /** Checked only for requests with a body. */
  contentType?: string;
  body?: unknown;
}

function expectOnlyRequest({ method, path, query = {}, contentType, body }: ExpectedRequest): void {
  const request: RecordedRequest = server.onlyRequest();
  expect(request).toEqual({ method, path, query, body, contentType: body === undefined ? request.contentType : contentType });
}

interface KindUnderTest<T extends KubernetesObject, S extends Scope> {
  resource: ResourceType;
  client: () => ResourceClient<T, S>;
  object: T;
  key: ObjectKey<S>;
  /** The namespace option of list: one namespace for a namespaced kind, nothing for a cluster-scoped one. */
  listIn: ListScope<S>;
  objectPath: string;
  collectionPath: string;
  mergePatch: MergePatch<T>;
  statusPatch: MergePatch<T>;
}
type ListScope<S extends Scope> = Parameters<ResourceClient<KubernetesObject, S>["list"]>[0];

function describeKind<T extends KubernetesObject, S extends Scope>(k: KindUnderTest<T, S>): void {
  const { objectPath, collectionPath, resource } = k;

  describe(`${resource.kind} (${resource.scope})`, () => {
    const answer = stored(k.object);
    const deleting = { ...answer, metadata: { ...answer.metadata, deletionTimestamp: "2025-06-01T13:00:00Z", finalizers: ["foregroundDeletion"] } };
    const list = { apiVersion: resource.apiVersion, kind: resource.listKind, metadata: { resourceVersion: "50", continue: "token-2" }, items: [answer] };
    const jsonPatch: JsonPatchOperation[] = [
      { op: "test", path: "/metadata/resourceVersion", value: "42" },
      { op: "add", path: "/metadata/labels", value: { reviewed: "true" } },
    ];
    const statusJsonPatch: JsonPatchOperation[] = [{ op: "add", path: "/status", value: ready }];

    const calls: (ExpectedRequest & { name: string; call: (client: ResourceClient<T, S>) => Promise<unknown>; code?: number; answer?: unknown })[] = [
      { name: "get", call: (c) => c.get(k.key), method: "GET", path: objectPath },
      { name: "getStatus", call: (c) => c.getStatus(k.key), method: "GET", path: `${objectPath}/status` },
      {
        name: "list at a resourceVersion, not older than it",
        call: (c) => c.list({ ...k.listIn, resourceVersion: "42", resourceVersionMatch: "NotOlderThan" }),
        method: "GET",
        path: collectionPath,
        query: { resourceVersion: "42", resourceVersionMatch: "NotOlderThan" },
        answer: list,
      },
      {
        name: "list with selectors, limit and continue",
        call: (c) => c.list({ ...k.listIn, labelSelector: "team=sre,tier!=db", fieldSelector: "metadata.name!=old", limit: 2, continue: "token-1" }),
        method: "GET",
        path: collectionPath,
        query: { labelSelector: "team=sre,tier!=db", fieldSelector: "metadata.name!=old", limit: "2", continue: "token-1" },
        answer: list,
      },
      {
        name: "create",
        call: (c) => c.create(k.object, { fieldManager: "crdkit-test", dryRun: "All" }),
        method: "POST",
        path: collectionPath,
        query: { fieldManager: "crdkit-test", dryRun: "All" },
        contentType: "application/json",
        body: k.object,
        code: 201,
      },
      { name: "replace", call: (c) => c.replace(answer), method: "PUT", path: objectPath, contentType: "application/json", body: answer },
      {
        name: "replaceStatus",
        call: (c) => c.replaceStatus({ ...answer, status: ready }),
        method: "PUT",
        path: `${objectPath}/status`,
        contentType: "application/json",
        body: { ...answer, status: ready },
      },
      { name: "patch, merge", call: (c) => c.patch(k.key, k.mergePatch), method: "PATCH", path: objectPath, contentType: "application/merge-patch+json", body: k.mergePatch },
      { name: "patch, JSON patch", call: (c) => c.patch(k.key, jsonPatch), method: "PATCH", path: objectPath, contentType: "application/json-patch+json", body: jsonPatch },
      {
        name: "patchStatus, merge",
        call: (c) => c.patchStatus(k.key, k.statusPatch, { fieldManager: "crdkit-test" }),
        method: "PATCH",
        path: `${objectPath}/status`,
        query: { fieldManager: "crdkit-test" },
        contentType: "application/merge-patch+json",
        body: k.statusPatch,
      },
      {
        name: "patchStatus, JSON patch",
        call: (c) => c.patchStatus(k.key, statusJsonPatch),
        method: "PATCH",
        path: `${objectPath}/status`,
        contentType: "application/json-patch+json",
        body: statusJsonPatch,
      },
      {
        name: "delete, foreground",
        call: (c) => c.delete(k.key, { propagationPolicy: "Foreground", gracePeriodSeconds: 0 }),
        method: "DELETE",
        path: objectPath,
        query: { propagationPolicy: "Foreground", gracePeriodSeconds: "0" },
        code: 202, // accepted, not gone yet: the dependents go first
        answer: deleting,
      },
    ];

    it.each(calls)("$name: $method $path", async ({ name: _, call, code, answer: body = answer, ...expected }) => {
      server.answer({ code, body });
      await expect(call(k.client())).resolves.toEqual(body);
      expectOnlyRequest(expected);
    });
  });
}

describeKind({
  resource: ProposalResource,
  client: () => proposalClient(kc),
  object: proposal,
  key: { namespace: "ns", name: "name" },
  listIn: { namespace: "ns" },
  objectPath: `${API}/namespaces/ns/proposals/name`,
  collectionPath: `${API}/namespaces/ns/proposals`,
  mergePatch: { metadata: { labels: { reviewed: "true", team: null } } },
  statusPatch: { status: { conditions: [] } },
});

describeKind({
  resource: AgentResource,
  client: () => agentClient(kc),
  object: agent,
  key: { name: "default" },
  listIn: {},
  objectPath: `${API}/agents/default`,
  collectionPath: `${API}/agents`,
  mergePatch: { spec: { model: "claude-sonnet-4-5", maxTurns: null } },
  statusPatch: { status: ready },
});

describe("typed clients", () => {
  it("list of a namespaced kind without a namespace lists all namespaces", async () => {
    server.answer({ body: { apiVersion: "agentic.openshift.io/v1alpha1", kind: "ProposalList", metadata: { resourceVersion: "50" }, items: [] } });
    await proposalClient(kc).list();
    expectOnlyRequest({ method: "GET", path: `${API}/proposals` });
  });

  it("return parsed objects of the generated types", async () => {
    const page = { apiVersion: "agentic.openshift.io/v1alpha1", kind: "AgentList", metadata: { resourceVersion: "50", continue: "token-2", remainingItemCount: 3 }, items: [stored(agent)] };
    server.answer({ body: stored(proposal) }).answer({ body: page });

    const got = await proposalClient(kc).get({ namespace: "ns", name: "name" });
    expectTypeOf(got).toEqualTypeOf<Proposal>();
    expect(got.metadata.resourceVersion).toBe("42");
    expect(got.spec.targetNamespaces).toEqual(["ns"]);

    const agents = await agentClient(kc).list({ limit: 1 });
    expectTypeOf(agents).toEqualTypeOf<KubernetesList<Agent>>();
    expect(agents.metadata).toEqual({ resourceVersion: "50", continue: "token-2", remainingItemCount: 3 });
    expect(agents.items[0]?.spec.llmProvider.name).toBe("anthropic");
  });

  it.each(["create", "replace", "replaceStatus"] as const)(
    "%s of a namespaced object without metadata.namespace rejects with a TypeError naming the kind, sending nothing",
    async (method) => {
      const { namespace: _, ...metadata } = proposal.metadata;
      const error = await rejection(proposalClient(kc)[method]({ ...proposal, metadata }));
      expect(error).toBeInstanceOf(TypeError);
      expect((error as TypeError).message).toBe("Proposal name: metadata.namespace is required");
      expect(server.requests).toEqual([]);
    },
  );

  it("creates an object the server names from metadata.generateName, posting to the collection", async () => {
    const { name: _, ...metadata } = proposal.metadata;
    const generated = { ...proposal, metadata: { ...metadata, generateName: "checkout-" } };
    server.answer({ code: 201, body: stored({ ...generated, metadata: { ...generated.metadata, name: "checkout-x7k2p" } }) });
    const created = await proposalClient(kc).create(generated);
    expect(created.metadata.name).toBe("checkout-x7k2p");
    expect(server.onlyRequest()).toMatchObject({ method: "POST", path: `${API}/namespaces/${proposal.metadata.namespace}/proposals`, body: generated });
  });

  it("refuses an empty namespace for a namespaced object instead of reaching for the cluster-wide path", async () => {
    const error = await rejection(proposalClient(kc).get({ namespace: "", name: "name" }));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe("Proposal name: a namespace is required");
    expect(server.requests).toEqual([]);
  });
});

describe("errors", () => {
  const group = "agentic.openshift.io";
  const invalid = failure(
    422,
    "Invalid",
    'Proposal.agentic.openshift.io "name" is invalid: [spec.request: Required value, spec.targetNamespaces[0]: Invalid value: "Bad_NS": must be a DNS label]',
    {
      name: "name",
      group,
      kind: "Proposal",
      causes: [
        { reason: "FieldValueRequired", message: "Required value", field: "spec.request" },
        { reason: "FieldValueInvalid", message: 'Invalid value: "Bad_NS": must be a DNS label', field: "spec.targetNamespaces[0]" },
      ],
    },
  );
  const cases: { name: string; call: () => Promise<unknown>; status: Status }[] = [
    {
      name: "get of a missing Proposal: 404 NotFound",
      call: () => proposalClient(kc).get({ namespace: "ns", name: "missing" }),
      status: failure(404, "NotFound", 'proposals.agentic.openshift.io "missing" not found', { name: "missing", group, kind: "proposals" }),
    },
    {
      name: "delete of a missing Agent: 404 NotFound",
      call: () => agentClient(kc).delete({ name: "gone" }),
      status: failure(404, "NotFound", 'agents.agentic.openshift.io "gone" not found', { name: "gone", group, kind: "agents" }),
    },
    {
      name: "create of an existing Agent: 409 AlreadyExists",
      call: () => agentClient(kc).create(agent),
      status: failure(409, "AlreadyExists", 'agents.agentic.openshift.io "default" already exists', { name: "default", group, kind: "agents" }),
    },
    {
      name: "replace with a stale resourceVersion: 409 Conflict",
      call: () => proposalClient(kc).replace(stored(proposal, "41")),
      status: failure(
        409,
        "Conflict",
        'Operation cannot be fulfilled on proposals.agentic.openshift.io "name": the object has been modified; please apply your changes to the latest version and try again',
        { name: "name", group, kind: "proposals" },
      ),
    },
    { name: "create of an invalid Proposal: 422 Invalid", call: () => proposalClient(kc).create(proposal), status: invalid },
    { name: "patchStatus that breaks the schema: 422 Invalid", call: () => proposalClient(kc).patchStatus({ namespace: "ns", name: "name" }, { status: {} }), status: invalid },
  ];

  it.each(cases)("$name becomes a KubernetesError with the server's Status", async ({ call, status }) => {
    server.answer({ body: status });
    const error = await rejection(call());
    expect(error).toBeInstanceOf(KubernetesError);
    expect(error).toMatchObject({ name: "KubernetesError", code: status.code, reason: status.reason, message: status.message });
    expect((error as KubernetesError).status).toEqual(status);
  });

  it("422 keeps the field path of every invalid field", async () => {
    server.answer({ body: invalid });
    const error = (await rejection(proposalClient(kc).create(proposal))) as KubernetesError;
    expect(error.status.details?.causes?.map((c) => c.field)).toEqual(["spec.request", "spec.targetNamespaces[0]"]);
  });
});

describe("watch", () => {
  /** Starts a watch; `done` resolves with what onDone received once the watch ends. */
  function startWatch<T>(watch: (onEvent: (event: WatchEvent<T>) => void, onDone: (error?: unknown) => void) => Promise<AbortController>) {
    const events: WatchEvent<T>[] = [];
    let controller!: Promise<AbortController>;
    const done = new Promise<unknown>((resolve) => {
      controller = watch((event) => events.push(event), resolve);
    });
    return { events, done, controller };
  }

  function lifecycle<T extends KubernetesObject>(object: T, change: Partial<T>): WatchAnswer["events"] {
    return [
      { type: "ADDED", object: stored(object, "43") },
      { type: "MODIFIED", object: { ...stored(object, "44"), ...change } },
      { type: "DELETED", object: stored(object, "45") },
    ];
  }

  const watches: { target: string; events: WatchAnswer["events"]; start: () => ReturnType<typeof startWatch>; path: string; query: Record<string, string> }[] = [
    {
      target: "Proposals in one namespace",
      events: lifecycle(proposal, { status: { conditions: [] } }),
      start: () =>
        startWatch<Proposal>((onEvent, onDone) =>
          proposalClient(kc).watch({ namespace: "ns", labelSelector: "team=sre", resourceVersion: "42", allowWatchBookmarks: true }, onEvent, onDone),
        ),
      path: `${API}/namespaces/ns/proposals`,
      query: { watch: "true", labelSelector: "team=sre", resourceVersion: "42", allowWatchBookmarks: "true" },
    },
    {
      target: "Proposals in all namespaces",
      events: lifecycle(proposal, { status: { conditions: [] } }),
      start: () => startWatch<Proposal>((onEvent, onDone) => proposalClient(kc).watch({}, onEvent, onDone)),
      path: `${API}/proposals`,
      query: { watch: "true" },
    },
    {
      target: "Agents",
      events: lifecycle(agent, { status: ready }),
      start: () => startWatch<Agent>((onEvent, onDone) => agentClient(kc).watch({ fieldSelector: "metadata.name=default" }, onEvent, onDone)),
      path: `${API}/agents`,
      query: { watch: "true", fieldSelector: "metadata.name=default" },
    },
  ];

  it.each(watches)("$target: delivers ADDED, MODIFIED, DELETED in order, then ends when the server closes", async ({ events, start, path, query }) => {
    server.answer({ events });
    const watch = start();
    expect(await watch.done).toBeUndefined();
    expect(watch.events).toEqual(events);
    expectOnlyRequest({ method: "GET", path, query });
  });

  it("hands the event objects to onEvent typed as the kind", () => {
    expectTypeOf(proposalClient(kc).watch).parameter(1).parameter(0).toEqualTypeOf<WatchEvent<Proposal>>();
    expectTypeOf(agentClient(kc).watch).parameter(1).parameter(0).toEqualTypeOf<WatchEvent<Agent>>();
  });

  it("passes an ERROR event's Status through, then ends when the server closes", async () => {
    const expired = failure(410, "Expired", "too old resource version: 42 (50)");
    server.answer({ events: [{ type: "ERROR", object: expired }] });
    const watch = startWatch<Proposal>((onEvent, onDone) => proposalClient(kc).watch({ namespace: "ns", resourceVersion: "42" }, onEvent, onDone));
    expect(await watch.done).toBeUndefined();
    expect(watch.events).toEqual([{ type: "ERROR", object: expired }]);
  });

  it("ends when aborted, closing the connection", async () => {
    const events = lifecycle(agent, { status: ready }).slice(0, 2);
    server.answer({ events, keepOpen: true });
    const watch = startWatch<Agent>((onEvent, onDone) => agentClient(kc).watch({}, onEvent, onDone));
    await vi.waitFor(() => expect(watch.events).toEqual(events));
    expect(server.openWatchStreams).toBe(1);

    (await watch.controller).abort();
    expect(await watch.done).toBeUndefined();
    await vi.waitFor(() => expect(server.openWatchStreams).toBe(0));
    expect(watch.events).toEqual(events);
  });
});
