// The "api" service: the Flex Consumption function app and every app setting it reads.
// Setting names are contracts with shared/settings.py; keep them verbatim.
param name string
param planName string
param location string
param tags object = {}

param identityId string
param identityClientId string

param storageBlobEndpoint string
param storageQueueEndpoint string
param deploymentContainerName string

param applicationInsightsConnectionString string
@description('deployment.environment.name on the app\'s telemetry: the azd environment.')
param deploymentEnvironment string

param cosmosEndpoint string
param cosmosDatabaseName string

@description('Azure OpenAI endpoint without trailing slash; empty leaves OPENAI_BACKENDS as [].')
param openAiEndpoint string
param openAiChatDeploymentName string
@description('Model name clients put in requests; routed to openAiChatDeploymentName.')
param openAiChatModelAlias string

@description('Entra tenant whose v2.0 tokens are accepted.')
param authTenantId string
@minLength(1)
@description('Expected aud claim: the API app registration client id (v2.0 tokens).')
param authAudience string

@description('Empty selects the embedded moderator.')
param contentSafetyEndpoint string

param conversationTtlDays int

param instanceMemoryMB int
param maximumInstanceCount int
param httpPerInstanceConcurrency int

@description('Subnet for VNet integration; empty for none.')
param virtualNetworkSubnetId string = ''
param logAnalyticsWorkspaceId string

var openAiBackends = empty(openAiEndpoint) ? [] : [
  {
    alias: openAiChatModelAlias
    endpoint: openAiEndpoint
    deployment: openAiChatDeploymentName
    priority: 1
    weight: 1
    auth: 'managed_identity'
  }
]

// shared/settings.py refuses to start without a trusted issuer: the tenant's Entra v2.0 issuer.
var authIssuers = [
  {
    name: 'entra'
    issuer: '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
    audience: authAudience
    allowed_tenants: [
      authTenantId
    ]
  }
]

var appSettings = {
  // Functions host storage through the managed identity (no AzureWebJobsStorage connection string).
  AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
  AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AZURE_CLIENT_ID: identityClientId
  // Required up to Python 3.12 for the azurefunctions-extensions-http-fastapi streaming types.
  PYTHON_ENABLE_INIT_INDEXING: '1'
  // The app configures OpenTelemetry itself (shared/telemetry); the worker only forwards its context.
  PYTHON_ENABLE_OPENTELEMETRY: 'true'
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
  DEPLOYMENT_ENVIRONMENT: deploymentEnvironment
  CosmosDb__accountEndpoint: cosmosEndpoint
  CosmosDb__credential: 'managedidentity'
  CosmosDb__clientId: identityClientId
  COSMOS_DATABASE: cosmosDatabaseName
  OPENAI_BACKENDS: string(openAiBackends)
  AUTH_ISSUERS: string(authIssuers)
  CONTENT_SAFETY_ENDPOINT: contentSafetyEndpoint
  MODERATION_PROVIDER: empty(contentSafetyEndpoint) ? 'embedded' : 'content_safety'
  CONVERSATION_TTL_DAYS: string(conversationTtlDays)
}

module functionApp '../core/host/flex-function-app.bicep' = {
  name: 'api-function-app'
  params: {
    name: name
    planName: planName
    location: location
    tags: tags
    serviceName: 'api'
    identityId: identityId
    deploymentStorageBlobEndpoint: storageBlobEndpoint
    deploymentContainerName: deploymentContainerName
    runtimeName: 'python'
    runtimeVersion: '3.11'
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
    appSettings: appSettings
    virtualNetworkSubnetId: virtualNetworkSubnetId
    logAnalyticsWorkspaceId: logAnalyticsWorkspaceId
  }
}

output name string = functionApp.outputs.name
output uri string = functionApp.outputs.uri
