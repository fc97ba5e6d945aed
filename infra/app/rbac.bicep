// Azure RBAC for the app identity (and optionally the developer): storage, Application Insights and
// the Azure AI accounts. Cosmos DB data-plane roles are separate (app/database.bicep).
param storageAccountName string
param applicationInsightsName string
param appPrincipalId string

@description('Developer principal for local runs against Azure; empty skips it.')
param userPrincipalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param userPrincipalType string = 'User'

@description('Azure OpenAI account created by this deployment; empty if none.')
param openAiAccountName string = ''
@description('Content Safety account created by this deployment; empty if none.')
param contentSafetyAccountName string = ''
@description('Existing Azure OpenAI account (same subscription) to grant access to; empty skips.')
param existingOpenAiAccountName string = ''
@description('Its resource group; empty means this resource group.')
param existingOpenAiResourceGroupName string = ''
@description('Existing Content Safety account (same subscription) to grant access to; empty skips.')
param existingContentSafetyAccountName string = ''
@description('Its resource group; empty means this resource group.')
param existingContentSafetyResourceGroupName string = ''

// A module scope is evaluated even when its condition is false, so it must always name a real group.
var existingOpenAiScope = empty(existingOpenAiResourceGroupName) ? resourceGroup().name : existingOpenAiResourceGroupName
var existingContentSafetyScope = empty(existingContentSafetyResourceGroupName) ? resourceGroup().name : existingContentSafetyResourceGroupName

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  cognitiveServicesOpenAiUser: '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'
  cognitiveServicesUser: 'a97b65f3-24c7-4388-baec-2e87135dc908'
}

// Blob Data Owner: host locks, timers and the Flex deployment package. Queue Data Contributor:
// queue triggers and the app's producers (Message Processor alone cannot enqueue).
var appStorageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource appStorageAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in appStorageRoles: {
  name: guid(storage.id, appPrincipalId, roleId)
  scope: storage
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
  }
}]

resource appMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

resource userQueueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  name: guid(storage.id, userPrincipalId, roles.storageQueueDataContributor)
  scope: storage
  properties: {
    principalId: userPrincipalId
    principalType: userPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
  }
}

module appOpenAiUser '../core/security/cognitive-role-assignment.bicep' = if (!empty(openAiAccountName)) {
  name: 'role-openai-app'
  params: {
    accountName: openAiAccountName
    principalId: appPrincipalId
    roleDefinitionId: roles.cognitiveServicesOpenAiUser
  }
}

module userOpenAiUser '../core/security/cognitive-role-assignment.bicep' = if (!empty(openAiAccountName) && !empty(userPrincipalId)) {
  name: 'role-openai-user'
  params: {
    accountName: openAiAccountName
    principalId: userPrincipalId
    principalType: userPrincipalType
    roleDefinitionId: roles.cognitiveServicesOpenAiUser
  }
}

module appExistingOpenAiUser '../core/security/cognitive-role-assignment.bicep' = if (!empty(existingOpenAiAccountName)) {
  name: 'role-existing-openai-app'
  scope: resourceGroup(existingOpenAiScope)
  params: {
    accountName: existingOpenAiAccountName
    principalId: appPrincipalId
    roleDefinitionId: roles.cognitiveServicesOpenAiUser
  }
}

module appContentSafetyUser '../core/security/cognitive-role-assignment.bicep' = if (!empty(contentSafetyAccountName)) {
  name: 'role-content-safety-app'
  params: {
    accountName: contentSafetyAccountName
    principalId: appPrincipalId
    roleDefinitionId: roles.cognitiveServicesUser
  }
}

module userContentSafetyUser '../core/security/cognitive-role-assignment.bicep' = if (!empty(contentSafetyAccountName) && !empty(userPrincipalId)) {
  name: 'role-content-safety-user'
  params: {
    accountName: contentSafetyAccountName
    principalId: userPrincipalId
    principalType: userPrincipalType
    roleDefinitionId: roles.cognitiveServicesUser
  }
}

module appExistingContentSafetyUser '../core/security/cognitive-role-assignment.bicep' = if (!empty(existingContentSafetyAccountName)) {
  name: 'role-existing-content-safety-app'
  scope: resourceGroup(existingContentSafetyScope)
  params: {
    accountName: existingContentSafetyAccountName
    principalId: appPrincipalId
    roleDefinitionId: roles.cognitiveServicesUser
  }
}
