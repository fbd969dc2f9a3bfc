import { getMetadataStorage } from 'class-validator';

type MetadataStorage = ReturnType<typeof getMetadataStorage>;
type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];
type Grouped = ReturnType<MetadataStorage['groupByPropertyName']>;

const memoized = new WeakSet<MetadataStorage>();

/**
 * Makes class-validator's per-class metadata lookups answer from a cache. Unchanged, every
 * validated object (the body, each nested selection, the query) rescans the metadata of every
 * decorated class in the app for its ancestors and rebuilds its rule lists: a tenth of the
 * bytes the API allocated per request in the heap profile (typestack/class-validator#2686;
 * twenty memoizes the same lookup). A class's rules are all registered when its module loads,
 * before anything can be validated, so the answer for a (class, schema, always, strictGroups,
 * groups) never changes — except when a rule is registered later (a class defined at run
 * time, a schema), so registering one empties the cache. The cached lists are the same arrays
 * class-validator returned; its executor only reads them.
 */
export function memoizeValidationMetadata(storage: MetadataStorage = getMetadataStorage()): void {
  if (memoized.has(storage)) return;
  memoized.add(storage);
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const register = storage.addValidationMetadata.bind(storage);
  let lists = new WeakMap<object, Map<string, ValidationMetadata[]>>();
  let groups = new WeakMap<ValidationMetadata[], Grouped>();

  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, names) => {
    const key = JSON.stringify([schema, always, strictGroups, names ?? []]);
    let byArgs = lists.get(target);
    if (!byArgs) lists.set(target, (byArgs = new Map<string, ValidationMetadata[]>()));
    let list = byArgs.get(key);
    if (!list) byArgs.set(key, (list = lookup(target, schema, always, strictGroups, names)));
    return list;
  };
  storage.groupByPropertyName = (metadata) => {
    let grouped = groups.get(metadata);
    if (!grouped) groups.set(metadata, (grouped = group(metadata)));
    return grouped;
  };
  storage.addValidationMetadata = (metadata) => {
    lists = new WeakMap();
    groups = new WeakMap();
    register(metadata);
  };
}
