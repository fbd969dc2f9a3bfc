import { EventEmitter } from 'node:events';
import { Connection, Query } from 'pg';

/**
 * The wire, in order, from now until jest's mocks are restored: each query as a client writes it
 * (`sent <text>`, at its submit) and each ReadyForQuery the server answers with (`answered`, one
 * per statement: the end of its answer). What pipelining changes is where the `answered` lines fall.
 */
export function recordWire(): string[] {
  const wire: string[] = [];
  const submit = Query.prototype.submit;
  jest.spyOn(Query.prototype, 'submit').mockImplementation(function (this: Query & { text: string }, ...args) {
    wire.push(`sent ${this.text}`);
    return submit.apply(this, args);
  });
  jest.spyOn(Connection.prototype, 'emit').mockImplementation(function (
    this: Connection,
    event: string | symbol,
    ...args: unknown[]
  ) {
    if (event === 'readyForQuery') wire.push('answered');
    return EventEmitter.prototype.emit.call(this, event, ...args);
  });
  return wire;
}
