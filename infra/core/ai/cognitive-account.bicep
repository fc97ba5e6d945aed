// Azure AI services account (Azure OpenAI or Content Safety) reachable only with Entra ID tokens.
param name string
param location string
param tags object = {}

@allowed([
  'OpenAI'
  'ContentSafety'
])
param kind string

param skuName string = 'S0'

@description('Model deployments: { name, modelName, modelVersion, skuName, capacity }. OpenAI accounts only.')
param deployments array = []

@description('Disabled when the account is reached through a private endpoint only.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

@description('Log Analytics workspace that receives the diagnostics.')
param logAnalyticsWorkspaceId string

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  //checkov:skip=CKV_AZURE_134:Network isolation is opt-in (vnetEnabled adds a private endpoint); the account accepts Entra tokens only (disableLocalAuth).
  name: name
  location: location
  tags: tags
  kind: kind
  sku: {
    name: skuName
  }
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    customSubDomainName: name
    disableLocalAuth: true
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      defaultAction: publicNetworkAccess == 'Disabled' ? 'Deny' : 'Allow'
    }
  }
}

// Deploy one model at a time: parallel deployments on one account conflict.
@batchSize(1)
resource modelDeployments 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = [for deployment in deployments: {
  parent: account
  name: deployment.name
  sku: {
    name: deployment.skuName
    capacity: deployment.capacity
  }
  properties: {
    model: {
      format: 'OpenAI'
      name: deployment.modelName
      version: deployment.modelVersion
    }
  }
}]

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
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

var rawEndpoint = account.properties.endpoint

output id string = account.id
output name string = account.name
output endpoint string = endsWith(rawEndpoint, '/') ? substring(rawEndpoint, 0, length(rawEndpoint) - 1) : rawEndpoint
