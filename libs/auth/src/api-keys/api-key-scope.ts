/** What an API key may do; a route names the scope it needs with `@RequireScopes`. */
export enum ApiKeyScope {
  ENRICHMENT_WRITE = 'enrichment:write',
  ENRICHMENT_READ = 'enrichment:read',
  CREDITS_READ = 'credits:read',
  WEBHOOKS_WRITE = 'webhooks:write',
}

export const ALL_API_KEY_SCOPES: readonly ApiKeyScope[] = Object.values(ApiKeyScope);
