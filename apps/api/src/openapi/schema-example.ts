import type { ReferenceObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

const FORMAT_EXAMPLES: Record<string, string> = {
  uuid: '550e8400-e29b-41d4-a716-446655440001',
  'date-time': '2025-01-13T10:30:00.000Z',
  email: 'jane.doe@northwindlabs.io',
  uri: 'https://hooks.example.com/enrichment',
};

/**
 * An example value for a schema, from the examples its properties already carry (then
 * defaults, enums and formats), so every documented response shows a realistic body that
 * matches its own schema.
 */
export function exampleFor(
  node: SchemaObject | ReferenceObject,
  resolve: (ref: string) => SchemaObject | undefined,
  depth = 0,
): unknown {
  const schema = '$ref' in node ? resolve(node.$ref) : node;
  if (!schema || depth > 8) return null;
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum.find((value) => value !== null) ?? null;
  const [first] = schema.oneOf ?? schema.anyOf ?? [];
  if (first) return exampleFor(first, resolve, depth + 1);
  if (schema.allOf) {
    return Object.assign({}, ...schema.allOf.map((part) => exampleFor(part, resolve, depth + 1)));
  }
  if (schema.type === 'array') return schema.items ? [exampleFor(schema.items, resolve, depth + 1)] : [];
  if (schema.type === 'object' || schema.properties) {
    return Object.fromEntries(
      Object.entries(schema.properties ?? {}).map(([key, value]) => [key, exampleFor(value, resolve, depth + 1)]),
    );
  }
  if (schema.nullable) return null;
  if (schema.type === 'integer' || schema.type === 'number') return schema.minimum ?? 0;
  if (schema.type === 'boolean') return true;
  if (schema.type === 'string') return (schema.format && FORMAT_EXAMPLES[schema.format]) ?? 'string';
  return null;
}
