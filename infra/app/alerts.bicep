// Alerts and the operations workbook, over the metrics the app sends to Application Insights (customMetrics; names in
// src/RoleMining.Exports/Diagnostics/ExportsTelemetry.cs and src/RoleMining.SailPoint/Diagnostics/SailPointTelemetry.cs).
// Each alert's query is a .kql file beside this one; tests/RoleMining.Infrastructure.Tests checks that every metric and
// dimension they name is one the app emits. What each alert means and what to do: docs/deploy.md, "Alerts".

@description('Azure region of the alert rules and the workbook.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Suffix that makes the resource names unique (the environment\'s resource token).')
param nameSuffix string

@description('Name of the Application Insights component the app sends its telemetry to.')
param applicationInsightsName string

@description('E-mail address that receives the alerts.')
param alertEmailAddress string

@description('Hours without a completed sweep before the "sweep missed" alert fires: the schedule\'s interval plus a grace.')
@minValue(1)
@maxValue(47)
param sweepMissedAfterHours int = 26

@description('When this template was deployed: the "sweep missed" alert waits a whole lookback after it. Leave the default.')
param deployedAt string = utcNow('u')

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-rolemining-${nameSuffix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'rolemining'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmailAddress
        useCommonAlertSchema: true
      }
    ]
  }
}

// An export job failed (a step failed for good, or its message went to a poison queue): one alert per failure kind
// and step, evaluated every 15 minutes.
resource exportFailed 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-rolemining-export-failed-${nameSuffix}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Role mining: an export failed'
    description: 'An export job failed (dimension failureKind says why, step where). docs/deploy.md, section Alerts, says what to do.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsights.id
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: loadTextContent('alerts/export-failed.kql')
          timeAggregation: 'Total'
          metricMeasureColumn: 'failures'
          dimensions: [
            {
              name: 'failureKind'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'step'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: false
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// A sweep run failed before it had started every planned export.
resource sweepFailed 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-rolemining-sweep-failed-${nameSuffix}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Role mining: the export sweep failed'
    description: 'A run of the export sweep stopped before it had started every planned export (dimension errorType says why). docs/deploy.md, section Alerts, says what to do.'
    severity: 1
    enabled: true
    scopes: [
      applicationInsights.id
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: loadTextContent('alerts/sweep-failed.kql')
          timeAggregation: 'Total'
          metricMeasureColumn: 'failedRuns'
          dimensions: [
            {
              name: 'errorType'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: false
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// A completion callback was given up: the caller that waits for it (a SailPoint Workflow) is never told the export ended.
resource callbackFailed 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-rolemining-callback-failed-${nameSuffix}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Role mining: a completion callback was given up'
    description: 'A completion callback was not delivered and will not be retried (dimension callback names it); its caller is never told the export ended. docs/deploy.md, section Alerts, says what to do.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsights.id
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: loadTextContent('alerts/callback-failed.kql')
          timeAggregation: 'Total'
          metricMeasureColumn: 'failedCallbacks'
          dimensions: [
            {
              name: 'callback'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: false
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// No sweep completed within sweepMissedAfterHours: the timer did not run, or no run finished. Evaluated hourly over the
// longest window a log alert allows; the query itself looks back sweepMissedAfterHours. Resolves itself once a run completes.
resource sweepMissed 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-rolemining-sweep-missed-${nameSuffix}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Role mining: no export sweep completed'
    description: 'No run of the export sweep completed in the last ${sweepMissedAfterHours} hours. docs/deploy.md, section Alerts, says what to do.'
    severity: 1
    enabled: true
    scopes: [
      applicationInsights.id
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'P2D'
    criteria: {
      allOf: [
        {
          query: replace(
            replace(loadTextContent('alerts/sweep-missed.kql'), '__LOOKBACK__', '${sweepMissedAfterHours}h'),
            '__WATCHED_SINCE__',
            deployedAt
          )
          timeAggregation: 'Total'
          metricMeasureColumn: 'completedRuns'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// The figures an operator looks at: exports by outcome and failure kind, step durations, SailPoint requests by operation
// and status, 429s and waits, bytes stored, sweep runs, and the latest failed jobs with their trace.
resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, applicationInsights.id, 'rolemining-operations')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'Role mining exports'
    category: 'workbook'
    sourceId: applicationInsights.id
    serializedData: replace(loadTextContent('workbook.json'), '__APPLICATION_INSIGHTS_ID__', applicationInsights.id)
  }
}

output actionGroupName string = actionGroup.name
output workbookName string = workbook.name
