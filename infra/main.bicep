targetScope = 'subscription'

// ---------- Environment ----------
@minLength(1)
@maxLength(64)
@description('azd environment name; seeds resource names and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Region for all resources; it must offer Flex Consumption.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Override for the resource group name; empty derives it from environmentName.')
param resourceGroupName string = ''

@description('Developer principal (AZURE_PRINCIPAL_ID) given data roles for local runs; empty skips.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string = 'User'

// ---------- Function app ----------
@allowed([
  512
  2048
  4096
])
param functionInstanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
param functionMaximumInstanceCount int = 100

@minValue(1)
@maxValue(1000)
param functionHttpPerInstanceConcurrency int = 16

// ---------- Cosmos DB ----------
@allowed([
  'serverless'
  'autoscale'
])
param cosmosCapacityMode string = 'serverless'

@minValue(1000)
param cosmosAutoscaleMaxThroughput int = 1000

@description('CONVERSATION_TTL_DAYS: lifetime of conversations, moderation records and jobs; 0 keeps them until deleted.')
@minValue(0)
param conversationTtlDays int = 90

// ---------- Azure OpenAI ----------
@description('Create an Azure OpenAI account; false uses existingOpenAiEndpoint instead.')
param deployOpenAi bool = true

@description('Region for the new Azure OpenAI account; empty uses location.')
param openAiLocation string = ''

param openAiChatModelName string = 'gpt-4o-mini'
param openAiChatModelVersion string = '2024-07-18'
param openAiChatDeploymentName string = 'gpt-4o-mini'
param openAiChatDeploymentSkuName string = 'GlobalStandard'

@description('Deployment capacity in thousands of tokens per minute.')
@minValue(1)
param openAiChatDeploymentCapacity int = 30

@description('Endpoint of an existing Azure OpenAI account (https://<name>.openai.azure.com) when deployOpenAi is false.')
param existingOpenAiEndpoint string = ''

@description('Name of that existing account (same subscription), to grant the app identity access; empty skips.')
param existingOpenAiAccountName string = ''
@description('Its resource group; empty means the resource group of this deployment.')
param existingOpenAiResourceGroupName string = ''

// ---------- Moderation ----------
@description('Create an Azure AI Content Safety account; false keeps the embedded moderator unless an endpoint is given.')
param deployContentSafety bool = false

@description('Endpoint of an existing Content Safety account when deployContentSafety is false.')
param existingContentSafetyEndpoint string = ''

@description('Name of that existing account (same subscription), to grant the app identity Cognitive Services User; empty skips.')
param existingContentSafetyAccountName string = ''
@description('Its resource group; empty means the resource group of this deployment.')
param existingContentSafetyResourceGroupName string = ''

// ---------- Caller authentication ----------
@description('Entra tenant whose tokens are accepted; empty uses the deployment tenant.')
param authTenantId string = ''

@minLength(1)
@description('Application (client) ID of the API app registration: the aud of the v2.0 tokens callers present. azd prompts for it.')
param authAudience string

// ---------- Network ----------
@description('Put the app in a virtual network and reach Storage, Cosmos DB and the AI accounts through private endpoints only.')
param vnetEnabled bool = false

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var effectiveAuthTenantId = empty(authTenantId) ? tenant().tenantId : authTenantId
var functionAppName = '${abbrs.webSitesFunctions}api-${resourceToken}'
var deploymentContainerName = 'app-package'
// The containers and queues the code declares (shared/resources.py writes this file).
var declaredResources = loadJsonContent('resources.json')
var dataPublicNetworkAccess = vnetEnabled ? 'Disabled' : 'Enabled'

resource rg 'Microsoft.Resources/resourceGroups@2021-04-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'core/identity/user-assigned-identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'core/monitor/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'core/storage/storage-account.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    containerNames: [
      deploymentContainerName
    ]
    queueNames: declaredResources.queues
    publicNetworkAccess: dataPublicNetworkAccess
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsId
  }
}

module database 'app/database.bicep' = {
  name: 'database'
  scope: rg
  params: {
    accountName: '${abbrs.documentDBDatabaseAccounts}${resourceToken}'
    location: location
    tags: tags
    databaseName: 'copilot'
    capacityMode: cosmosCapacityMode
    autoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
    declaration: declaredResources
    conversationTtlDays: conversationTtlDays
    publicNetworkAccess: dataPublicNetworkAccess
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsId
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
  }
}

module openAi 'core/ai/cognitive-account.bicep' = if (deployOpenAi) {
  name: 'openai'
  scope: rg
  params: {
    name: '${abbrs.cognitiveServicesOpenAI}${resourceToken}'
    location: empty(openAiLocation) ? location : openAiLocation
    tags: tags
    kind: 'OpenAI'
    publicNetworkAccess: dataPublicNetworkAccess
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsId
    deployments: [
      {
        name: openAiChatDeploymentName
        modelName: openAiChatModelName
        modelVersion: openAiChatModelVersion
        skuName: openAiChatDeploymentSkuName
        capacity: openAiChatDeploymentCapacity
      }
    ]
  }
}

module contentSafety 'core/ai/cognitive-account.bicep' = if (deployContentSafety) {
  name: 'content-safety'
  scope: rg
  params: {
    name: '${abbrs.cognitiveServicesContentSafety}${resourceToken}'
    location: location
    tags: tags
    kind: 'ContentSafety'
    publicNetworkAccess: dataPublicNetworkAccess
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsId
  }
}

var openAiEndpoint = deployOpenAi ? openAi.outputs.endpoint : existingOpenAiEndpoint
var contentSafetyEndpoint = deployContentSafety ? contentSafety.outputs.endpoint : existingContentSafetyEndpoint

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
    openAiAccountName: deployOpenAi ? openAi.outputs.name : ''
    contentSafetyAccountName: deployContentSafety ? contentSafety.outputs.name : ''
    existingOpenAiAccountName: deployOpenAi ? '' : existingOpenAiAccountName
    existingOpenAiResourceGroupName: deployOpenAi ? '' : existingOpenAiResourceGroupName
    existingContentSafetyAccountName: deployContentSafety ? '' : existingContentSafetyAccountName
    existingContentSafetyResourceGroupName: deployContentSafety ? '' : existingContentSafetyResourceGroupName
  }
}

module network 'core/networking/vnet.bicep' = if (vnetEnabled) {
  name: 'network'
  scope: rg
  params: {
    name: '${abbrs.networkVirtualNetworks}${resourceToken}'
    location: location
    tags: tags
  }
}

// Static lists (a for-expression needs values known at the start of the deployment); ids come from the lookup below.
var dataEndpointTargets = [
  {
    name: 'blob'
    service: 'storage'
    groupId: 'blob'
    dnsZoneName: 'privatelink.blob.${environment().suffixes.storage}'
  }
  {
    name: 'queue'
    service: 'storage'
    groupId: 'queue'
    dnsZoneName: 'privatelink.queue.${environment().suffixes.storage}'
  }
  {
    name: 'cosmos'
    service: 'cosmos'
    groupId: 'Sql'
    dnsZoneName: 'privatelink.documents.azure.com'
  }
]
var openAiEndpointTargets = [
  {
    name: 'openai'
    service: 'openai'
    groupId: 'account'
    dnsZoneName: 'privatelink.openai.azure.com'
  }
]
var contentSafetyEndpointTargets = [
  {
    name: 'content-safety'
    service: 'contentSafety'
    groupId: 'account'
    dnsZoneName: 'privatelink.cognitiveservices.azure.com'
  }
]
var aiEndpointTargets = concat(deployOpenAi ? openAiEndpointTargets : [], deployContentSafety ? contentSafetyEndpointTargets : [])
var privateEndpointTargets = vnetEnabled ? concat(dataEndpointTargets, aiEndpointTargets) : []

var privateEndpointServiceIds = {
  storage: storage.outputs.id
  cosmos: database.outputs.accountId
  openai: deployOpenAi ? openAi.outputs.id : ''
  contentSafety: deployContentSafety ? contentSafety.outputs.id : ''
}

module privateEndpoints 'core/networking/private-endpoint.bicep' = [for target in privateEndpointTargets: {
  name: 'pe-${target.name}'
  scope: rg
  params: {
    name: '${abbrs.networkPrivateEndpoints}${target.name}-${resourceToken}'
    location: location
    tags: tags
    subnetId: network.outputs.privateEndpointSubnetId
    virtualNetworkId: network.outputs.id
    serviceId: privateEndpointServiceIds[target.service]
    groupId: target.groupId
    dnsZoneName: target.dnsZoneName
  }
}]

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    deploymentEnvironment: environmentName
    cosmosEndpoint: database.outputs.endpoint
    cosmosDatabaseName: database.outputs.databaseName
    openAiEndpoint: openAiEndpoint
    openAiChatDeploymentName: openAiChatDeploymentName
    openAiChatModelAlias: openAiChatModelName
    authTenantId: effectiveAuthTenantId
    authAudience: authAudience
    contentSafetyEndpoint: contentSafetyEndpoint
    conversationTtlDays: conversationTtlDays
    instanceMemoryMB: functionInstanceMemoryMB
    maximumInstanceCount: functionMaximumInstanceCount
    httpPerInstanceConcurrency: functionHttpPerInstanceConcurrency
    virtualNetworkSubnetId: vnetEnabled ? network.outputs.appSubnetId : ''
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsId
  }
  // The app must not start before its identity can read the deployment package and queues
  // (and, with vnetEnabled, before the private endpoints resolve).
  dependsOn: [
    rbac
    privateEndpoints
  ]
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_NAME string = api.outputs.name
output AZURE_FUNCTION_URL string = api.outputs.uri
output AZURE_FUNCTION_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_FUNCTION_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output AZURE_COSMOS_ENDPOINT string = database.outputs.endpoint
output AZURE_COSMOS_ACCOUNT_NAME string = database.outputs.accountName
output AZURE_COSMOS_DATABASE string = database.outputs.databaseName
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_STORAGE_QUEUE_ENDPOINT string = storage.outputs.queueEndpoint
output AZURE_OPENAI_ENDPOINT string = openAiEndpoint
output AZURE_OPENAI_CHAT_DEPLOYMENT string = openAiChatDeploymentName
output AZURE_CONTENT_SAFETY_ENDPOINT string = contentSafetyEndpoint
output AUTH_AUDIENCE string = authAudience
output VNET_ENABLED bool = vnetEnabled
output MODERATION_PROVIDER string = empty(contentSafetyEndpoint) ? 'embedded' : 'content_safety'
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.applicationInsightsConnectionString
