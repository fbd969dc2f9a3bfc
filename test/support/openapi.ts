import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { OpenAPIObject } from '@nestjs/swagger';

export interface RecordedResponse {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

/**
 * Checks recorded responses against the app's own OpenAPI document: the route and status
 * must be documented and the body must match the documented schema.
 */
export class OpenApiResponseValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly routes: { method: string; pattern: RegExp; template: string }[];
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenAPIObject) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'openapi', components: document.components ?? {} });
    this.routes = Object.entries(document.paths).flatMap(([template, item]) =>
      Object.keys(item).map((method) => ({
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
      })),
    );
  }

  /** Problems with one response; empty when it matches the document. */
  problemsWith(response: RecordedResponse): string[] {
    // The Swagger UI and the document itself are served beside the API, not described in it.
    if (/^\/docs(-json|\/|$)/.test(response.path)) return [];
    const route = this.routes.find((r) => r.method === response.method && r.pattern.test(response.path));
    if (!route) return response.status === 404 ? [] : [`${response.method} ${response.path} is not documented`];
    const operation = this.document.paths[route.template][route.method.toLowerCase() as 'get'];
    const documented = operation?.responses?.[String(response.status)] as
      { content?: Record<string, { schema?: object }> } | undefined;
    const where = `${response.method} ${route.template} → ${response.status}`;
    if (!documented) return [`${where} is not a documented status`];
    const schema = documented.content?.['application/json']?.schema;
    if (!schema) return [];
    const key = `${where}`;
    let validate = this.cache.get(key);
    if (!validate) {
      validate = this.ajv.compile(this.rewriteRefs(schema));
      this.cache.set(key, validate);
    }
    return validate(response.body) ? [] : [`${where}: ${this.ajv.errorsText(validate.errors)}`];
  }

  private rewriteRefs(schema: object): object {
    return JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi#/components/'));
  }
}
