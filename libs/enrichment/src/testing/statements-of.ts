import { Client } from 'pg';

export interface SentStatement {
  text: string;
  values: unknown[];
  /** Set when sent as a named prepared statement (queryPrepared): it may run on a generic plan. */
  name?: string;
}

/**
 * Every statement `work` sends, in order, BEGIN and COMMIT included: TypeORM and queryPrepared
 * both go through pg's Client#query, with text and values or a named statement's config.
 */
export async function statementsOf(work: () => Promise<unknown>): Promise<SentStatement[]> {
  const query = jest.spyOn(Client.prototype, 'query');
  try {
    await work();
    return query.mock.calls.flatMap(([first, second]: unknown[]) => {
      const config =
        typeof first === 'object' && first !== null
          ? (first as { text?: unknown; values?: unknown; name?: unknown })
          : {};
      const text = typeof first === 'string' ? first : config.text;
      const values = typeof first === 'string' ? second : config.values;
      const name = typeof config.name === 'string' ? config.name : undefined;
      return typeof text === 'string' ? [{ text, values: Array.isArray(values) ? values : [], name }] : [];
    });
  } finally {
    query.mockRestore();
  }
}
