// CustomResourceDefinitions: the CRD kind itself (checked with the generator's loader checks, so a CRD the server
// accepts is one `npm run generate` accepts), the resources an established CRD serves, and the controller that
// serves a CRD's kind the moment it is stored and deletes its objects before the CRD itself goes away.
import type { CustomResourceDefinition, CrdVersion } from "../api/apiextensions.ts";
import { fieldError, OMITTED, type FieldError, type FieldErrorType } from "../api/validation/errors.ts";
import { checkCrd } from "../generator/loader/index.ts";
import { formatPath } from "../generator/loader/problems.ts";
import type { CrdAdmission } from "./admission.ts";
import { AGE } from "./builtin.ts";
import { StorageController } from "./controller.ts";
import { methodNotSupported } from "./errors.ts";
import { compileJsonPath } from "./jsonpath.ts";
import { now, type ObjectService } from "./objects.ts";
import { validateMetadata } from "./objectmeta.ts";
import type { Registry } from "./registry.ts";
import { statusSubresource, type ResourceDef } from "./resources.ts";
import type { KubeObject, Storage, StoredEvent } from "./storage.ts";
import { jsonCell, type Column } from "./table.ts";

export const CRD_COLLECTION = "apiextensions.k8s.io/customresourcedefinitions";
/** Holds a CRD until every object of its kind is gone, as apiextensions-apiserver's finalizer controller does. */
export const CRD_FINALIZER = "customresourcecleanup.apiextensions.k8s.io";

const TYPE_PREFIXES: [string, FieldErrorType][] = [
  ["Required value", "FieldValueRequired"], ["Unsupported value", "FieldValueNotSupported"], ["Duplicate value", "FieldValueDuplicate"],
  ["Forbidden", "FieldValueForbidden"], ["Too many", "FieldValueTooMany"], ["Too long", "FieldValueTooLong"], ["Invalid value", "FieldValueInvalid"],
];

/** The generator loader's findings on a CRD (so the server accepts what `npm run generate` accepts), as field errors. */
function crdErrors(value: unknown): FieldError[] {
  const checked = checkCrd(value);
  if (checked.ok) return [];
  return checked.problems.map(({ path, message }) => {
    const prefix = TYPE_PREFIXES.find(([text]) => message === text || message.startsWith(`${text}: `));
    const detail = prefix ? message.slice(prefix[0].length + 2) : message;
    return { type: prefix?.[1] ?? "FieldValueInvalid", field: formatPath(path), value: OMITTED, detail };
  });
}

/** The defaults kube's CRD strategy fills in before validating. */
function defaultCrd(crd: KubeObject): void {
  const spec = crd.spec as Partial<CustomResourceDefinition["spec"]> | undefined;
  if (!spec || typeof spec !== "object") return;
  const names = spec.names;
  if (names && typeof names.kind === "string") {
    names.singular ??= names.kind.toLowerCase();
    names.listKind ??= `${names.kind}List`;
  }
  spec.conversion ??= { strategy: "None" };
}

/** Status as the CRD controllers leave it once names are accepted and the kind is served. */
function crdStatus(crd: KubeObject, old: KubeObject | undefined): Record<string, unknown> {
  const spec = (crd as unknown as CustomResourceDefinition).spec;
  const oldStatus = (old?.status ?? {}) as { conditions?: { type: string; lastTransitionTime?: string }[]; storedVersions?: string[] };
  const since = (type: string) => oldStatus.conditions?.find((c) => c.type === type)?.lastTransitionTime ?? now();
  const storage = spec.versions.find((v) => v.storage)?.name;
  return {
    conditions: [
      { type: "NamesAccepted", status: "True", lastTransitionTime: since("NamesAccepted"), reason: "NoConflicts", message: "no conflicts found" },
      { type: "Established", status: "True", lastTransitionTime: since("Established"), reason: "InitialNamesAccepted", message: "the initial names have been accepted" },
    ],
    acceptedNames: spec.names,
    storedVersions: [...new Set([...(oldStatus.storedVersions ?? []), ...(storage ? [storage] : [])])],
  };
}

export const customResourceDefinitions: ResourceDef = {
  group: "apiextensions.k8s.io",
  version: "v1",
  storageVersion: "v1",
  kind: "CustomResourceDefinition",
  listKind: "CustomResourceDefinitionList",
  plural: "customresourcedefinitions",
  singular: "customresourcedefinition",
  shortNames: ["crd", "crds"],
  categories: ["api-extensions"],
  namespaced: false,
  collection: CRD_COLLECTION,
  subresources: { status: statusSubresource },
  tracksGeneration: true,
  unconditionalUpdate: false,
  returnDeletedObject: true,
  columns: [{ ...AGE, name: "Created At", cell: (o) => o.metadata.creationTimestamp ?? null }],
  fields: {},
  nameRule: "subdomain",
  mergeKeys: undefined,
  strategy: {
    prepareForCreate(crd) {
      defaultCrd(crd);
      crd.metadata.finalizers = [...new Set([...(crd.metadata.finalizers ?? []), CRD_FINALIZER])];
      crd.status = crdStatus(crd, undefined);
    },
    prepareForUpdate(crd, old) {
      defaultCrd(crd);
      crd.status = crdStatus(crd, old);
    },
    admit(crd, old) {
      const errors = [...validateMetadata(crd.metadata, false, "subdomain", old?.metadata), ...crdErrors(crd)];
      const spec = crd.spec as CustomResourceDefinition["spec"] | undefined;
      const oldSpec = old?.spec as CustomResourceDefinition["spec"] | undefined;
      for (const field of ["group", "scope"] as const) {
        if (oldSpec && spec && spec[field] !== oldSpec[field]) errors.push(fieldError.invalid(`spec.${field}`, spec[field], "field is immutable"));
      }
      return { object: crd, errors, warnings: [], prunedFields: [] };
    },
  },
};

/** The resources one CRD serves: one per served version. */
export function customResources(crd: CustomResourceDefinition, admission: CrdAdmission, terminating: () => boolean): ResourceDef[] {
  const { group, names, scope } = crd.spec;
  const storageVersion = crd.spec.versions.find((v) => v.storage)!.name;
  return crd.spec.versions.filter((v) => v.served).map((version): ResourceDef => ({
    group,
    version: version.name,
    storageVersion,
    kind: names.kind,
    listKind: names.listKind,
    plural: names.plural,
    singular: names.singular,
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    namespaced: scope === "Namespaced",
    collection: `${group}/${names.plural}`,
    subresources: version.subresources?.status ? { status: statusSubresource } : {},
    tracksGeneration: true,
    unconditionalUpdate: false,
    returnDeletedObject: true,
    columns: printerColumns(version),
    fields: Object.fromEntries((version.selectableFields ?? []).map(({ jsonPath }) => {
      const path = compileJsonPath(jsonPath);
      return [jsonPath.replace(/^\./, ""), (o: KubeObject) => {
        const value = path(o)[0];
        return value === undefined || value === null || typeof value === "object" ? undefined : String(value);
      }];
    })),
    nameRule: "subdomain",
    schema: version.schema.openAPIV3Schema,
    crd: crd.metadata.name,
    strategy: {
      prepareForCreate() {
        if (terminating()) throw methodNotSupported({ group, resource: names.plural }, "create not allowed while custom resource definition is terminating");
      },
      admit: (object, old) => admission.validate({ group, version: version.name, kind: names.kind }, object, old),
    },
  }));
}

/** The version's additionalPrinterColumns, or the Age column kube shows when a CRD declares none. */
function printerColumns(version: CrdVersion): Column[] {
  const declared = version.additionalPrinterColumns ?? [];
  if (declared.length === 0) return [AGE];
  return declared.map((c) => {
    const path = compileJsonPath(c.jsonPath);
    return {
      name: c.name,
      type: c.type,
      ...(c.format && { format: c.format }),
      description: c.description ?? `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
      priority: c.priority ?? 0,
      cell: (o) => jsonCell(c.type, path(o)),
    };
  });
}

/**
 * Serves a CRD's kind as soon as the CRD is stored (and again whenever it changes), and once it is being
 * deleted, deletes every object of the kind, then releases the CRD's finalizer.
 */
export class CrdController extends StorageController {
  private readonly storage: Storage;
  private readonly registry: Registry;
  private readonly objects: ObjectService;
  private readonly admission: CrdAdmission;

  constructor(storage: Storage, registry: Registry, objects: ObjectService, admission: CrdAdmission) {
    super("crd cleanup");
    this.storage = storage;
    this.registry = registry;
    this.objects = objects;
    this.admission = admission;
    this.watch(storage);
  }

  protected observe(event: StoredEvent): void {
    if (event.collection === CRD_COLLECTION) {
      const crd = event.object as unknown as CustomResourceDefinition & KubeObject;
      if (event.type === "DELETED") {
        this.registry.removeCrd(crd.metadata.name);
        this.admission.unregister(crd);
        return;
      }
      if (event.type === "ADDED" || changedSpec(event)) this.serve(crd);
      if (crd.metadata.deletionTimestamp) this.queue.add(crd.metadata.name);
    } else if (event.type === "DELETED") {
      const crd = this.registry.forCollection(event.collection)[0]?.crd;
      if (crd && this.storage.get(CRD_COLLECTION, crd)?.metadata.deletionTimestamp) this.queue.add(crd);
    }
  }

  private serve(crd: CustomResourceDefinition): void {
    const name = crd.metadata.name;
    this.admission.register(crd);
    this.registry.setCrd(name, customResources(crd, this.admission, () => Boolean(this.storage.get(CRD_COLLECTION, name)?.metadata.deletionTimestamp)));
  }

  /** Deletes the objects of a CRD being deleted, then releases its finalizer. */
  protected process(name: string): void {
    const crd = this.storage.get(CRD_COLLECTION, name);
    if (!crd?.metadata.deletionTimestamp) return;
    const def = this.registry.all().find((d) => d.crd === name);
    const remaining = def ? this.storage.list(def.collection) : [];
    for (const object of remaining.filter((o) => !o.metadata.deletionTimestamp)) {
      this.objects.delete(def!, object.metadata.namespace, object.metadata.name!, { propagationPolicy: "Background" });
    }
    if (def && this.storage.list(def.collection).length > 0) return; // objects with finalizers: wait for their deletion
    this.objects.mutate(customResourceDefinitions, undefined, name, (o) => {
      o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== CRD_FINALIZER);
    });
  }
}

function changedSpec(event: StoredEvent): boolean {
  return JSON.stringify(event.object.spec) !== JSON.stringify(event.previous?.spec);
}
