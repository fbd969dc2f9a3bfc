import { ArgumentsHost, BadRequestException, Logger, NotFoundException } from '@nestjs/common';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { AppException } from './app.exception';
import { ErrorCode } from './error-code';

function run(exception: unknown) {
  const res = { headersSent: false, status: jest.fn().mockReturnThis(), json: jest.fn() };
  const req = { id: 'req-123', method: 'POST', originalUrl: '/x', path: '/x' };
  const host = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as unknown as ArgumentsHost;
  new AllExceptionsFilter().catch(exception, host);
  return { status: res.status.mock.calls[0][0] as number, body: res.json.mock.calls[0][0] };
}

describe('AllExceptionsFilter', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));

  it('renders an AppException with its code and details', () => {
    expect(run(new AppException(ErrorCode.INSUFFICIENT_CREDITS, 'short', { required: 10, available: 5 }))).toEqual({
      status: 402,
      body: { error: { code: 'INSUFFICIENT_CREDITS', message: 'short', details: { required: 10, available: 5 } } },
    });
  });

  it('a 500 shows the request id and neither the message nor the stack', () => {
    const { status, body } = run(new Error('duplicate key value violates unique constraint "secret_table"'));
    expect(status).toBe(500);
    expect(body).toEqual({
      error: { code: 'INTERNAL_ERROR', message: 'Internal server error', details: { requestId: 'req-123' } },
    });
    expect(JSON.stringify(body)).not.toContain('secret_table');
  });

  it('maps framework errors and body-parser errors to the envelope', () => {
    expect(run(new NotFoundException()).body.error.code).toBe('NOT_FOUND');
    expect(run(new BadRequestException('Unexpected token')).body.error.code).toBe('VALIDATION_ERROR');
    expect(run(Object.assign(new Error('too large'), { type: 'entity.too.large', status: 413 }))).toMatchObject({
      status: 413,
      body: { error: { code: 'PAYLOAD_TOO_LARGE' } },
    });
  });
});
