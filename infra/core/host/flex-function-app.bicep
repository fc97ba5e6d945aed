// Linux Function App on a Flex Consumption (FC1) plan. Runtime, scale and the deployment package
// location live in functionAppConfig; Flex rejects FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION
// and the content-share settings, so they are deliberately absent.
param name string
param planName string
param location string
param tags object = {}

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
  //checkov:skip=CKV_AZURE_222:Public API endpoint by design; there is no VNet or private endpoint in this deployment.
  //checkov:skip=CKV_AZURE_212:Flex Consumption scales from zero per demand; a fixed instance floor would be always-ready billing.
  //checkov:skip=CKV_AZURE_213:The Flex platform replaces unhealthy instances itself; App Service health-check probes do not apply.
  name: name
  location: location
  tags: tags
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
    publicNetworkAccess: 'Enabled'
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
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

output id string = functionApp.id
output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
output uri string = 'https://${functionApp.properties.defaultHostName}'
