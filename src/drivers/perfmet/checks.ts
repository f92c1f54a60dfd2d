import type { PerfmetJob, PerfmetObservation } from '../../support/perfmet-driver.js'
import { checkDate } from '../catalog/checks.js'

/** What a perfmet backend can store: SQL `real` takes ±Infinity, JSON (PostgREST) takes only finite numbers. */
export interface PerfmetNumberRule {
  readonly finiteOnly: boolean
}

function checkText(value: unknown, field: string): void {
  if (typeof value !== 'string') throw new TypeError(`${field} must be a string`)
}

function checkNumber(value: unknown, field: string, nullable: boolean, rule: PerfmetNumberRule): void {
  if (value === null && nullable) return
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`${field} must be a number`)
  if (rule.finiteOnly && !Number.isFinite(value)) throw new TypeError(`${field} must be a finite number`)
}

/** Validates a job row before it is written; throws a `TypeError` naming the field. */
export function checkJob(job: PerfmetJob, rule: PerfmetNumberRule): void {
  checkText(job.dataSource, 'dataSource')
  checkText(job.stage, 'stage')
  checkNumber(job.seconds, 'seconds', false, rule)
  checkNumber(job.records, 'records', false, rule)
  if (!Number.isSafeInteger(job.records)) throw new TypeError('records must be an integer')
  checkDate(job.processingDate, 'processingDate', false)
  checkDate(job.collectionStart, 'collectionStart', true)
  checkDate(job.collectionEnd, 'collectionEnd', true)
}

/** Validates observation rows, refusing a batch that holds the same primary key twice. */
export function checkObservations(
  observations: readonly PerfmetObservation[],
  rule: PerfmetNumberRule,
): void {
  const seen = new Set<string>()
  for (const obs of observations) {
    checkText(obs.dataSource, 'dataSource')
    checkText(obs.sensorName, 'sensorName')
    checkText(obs.dataType, 'dataType')
    checkNumber(obs.data, 'data', true, rule)
    checkNumber(obs.expected, 'expected', true, rule)
    checkDate(obs.collectionDate, 'collectionDate', false)
    checkDate(obs.timestampMin, 'timestampMin', true)
    checkDate(obs.timestampMax, 'timestampMax', true)
    const key = JSON.stringify([obs.collectionDate.toMillis(), obs.dataSource, obs.dataType, obs.sensorName])
    if (seen.has(key)) throw new Error(`Duplicate perfmet observation key in one write: ${key}`)
    seen.add(key)
  }
}
