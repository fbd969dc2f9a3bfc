import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@app/auth';
import { ErrorEnvelopeDto } from '@app/core';
import { NotRateLimited } from '../rate-limit/not-rate-limited.decorator';
import { MetricsService } from '../services/metrics.service';

@ApiTags('operations')
@Public()
@NotRateLimited()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics (text format)',
    description:
      'HTTP latency by route template, queue depth per queue and state, enrichment outcomes per provider ' +
      'and field, credits held, and process metrics. Public unless METRICS_TOKEN is set; then it needs ' +
      '`Authorization: Bearer <METRICS_TOKEN>` (not a user JWT).',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus exposition format 0.0.4', schema: { type: 'string' } })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto, description: 'UNAUTHORIZED: METRICS_TOKEN is set and not given' })
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    this.metrics.assertScraperAllowed(authorization);
    res.setHeader('Content-Type', this.metrics.contentType);
    return this.metrics.render();
  }
}
