import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@app/auth';
import { HealthResponseDto } from '../dtos/health.response.dto';
import { NotRateLimited } from '../rate-limit/not-rate-limited.decorator';
import { ReadinessService } from '../services/readiness.service';

@ApiTags('operations')
@Public()
@NotRateLimited()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process serves HTTP (no dependency is checked)' })
  @ApiOkResponse({ type: HealthResponseDto })
  async live(): Promise<HealthResponseDto> {
    return (await this.readiness.liveness()).result;
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: PostgreSQL and Redis answer; 503 with the same body shape when one does not' })
  @ApiOkResponse({ type: HealthResponseDto })
  @ApiServiceUnavailableResponse({
    type: HealthResponseDto,
    description: 'A dependency is down: `status: "error"`, and `error` names it',
  })
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthResponseDto> {
    const { healthy, result } = await this.readiness.readiness();
    if (!healthy) res.status(503);
    return result;
  }
}
