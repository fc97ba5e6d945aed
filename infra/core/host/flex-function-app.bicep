// Linux Function App on a Flex Consumption (FC1) plan. Runtime, scale and the deployment package
// location live in functionAppConfig; Flex rejects FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION,
// the content-share settings and several siteConfig properties (ftpsState among them), so the site sets
// only what the official Flex Consumption samples set.
param name string
param planName string
param location string
param tags object = {}

@description('azd service name: only the site carries the azd-service-name tag, so azd finds one host.')
param serviceName string

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Blob endpoint of the storage account holding the deployment package (ends with /).')
param deploymentStorageBlobEndpoint string
param deploymentContainerName string

param runtimeName string = 'python'
param runtimeVersion string = '3.11'

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Concurrent HTTP invocations per instance; Flex defaults Python apps to 1.')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int = 16

@description('App settings, name to string value.')
param appSettings object

@description('Spread instances across availability zones; only in regions where Flex supports it.')
param zoneRedundant bool = false

@description('Subnet (delegated to Microsoft.App/environments) for outbound VNet integration; empty for none.')
param virtualNetworkSubnetId string = ''

@description('Log Analytics workspace that receives the diagnostics.')
param logAnalyticsWorkspaceId string

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  //checkov:skip=CKV_AZURE_225:Zone redundancy is a parameter (zoneRedundant); Flex offers it only in some regions.
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
    zoneRedundant: zoneRedundant
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  //checkov:skip=CKV_AZURE_17:Callers authenticate with Entra ID bearer tokens or API keys checked by the app, not client certificates.
  //checkov:skip=CKV_AZURE_222:Public API endpoint by design; vnetEnabled isolates the data services, not the API.
  //checkov:skip=CKV_AZURE_212:Flex Consumption scales from zero per demand; a fixed instance floor would be always-ready billing.
  //checkov:skip=CKV_AZURE_78:Flex Consumption has no FTP endpoint, and regions reject siteConfig.ftpsState on Flex sites (error 51021).
  //checkov:skip=CKV_AZURE_15:The Flex site keeps to the properties the official Flex samples set; App Service defaults new sites to TLS 1.2.
  //checkov:skip=CKV_AZURE_67:The Flex site keeps to the properties the official Flex samples set; http20Enabled is not among them.
  //checkov:skip=CKV_AZURE_18:Same check as CKV_AZURE_67 for web apps; the Flex site sets no siteConfig.http20Enabled.
  //checkov:skip=CKV_AZURE_213:The Flex platform replaces unhealthy instances itself; App Service health-check probes do not apply.
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': serviceName
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    siteConfig: {
      appSettings: [for setting in items(appSettings): {
        name: setting.key
        value: setting.value
      }]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${deploymentStorageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        triggers: {
          http: {
            perInstanceConcurrency: httpPerInstanceConcurrency
          }
        }
      }
      runtime: {
        name: runtimeName
        version: runtimeVersion
      }
    }
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: functionApp
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'FunctionAppLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output id string = functionApp.id
output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
output uri string = 'https://${functionApp.properties.defaultHostName}'
