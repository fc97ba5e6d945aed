// The "copilot" Cosmos DB database with the containers the code declares, and data-plane roles.
param accountName string
param location string
param tags object = {}
param databaseName string
param capacityMode string
param autoscaleMaxThroughput int

@description('infra/resources.json, written from shared/resources.py: partitionKeyPath and containers { name, ttlFromSettings, fixedTtl, indexingPolicy }.')
param declaration object

@description('The app setting CONVERSATION_TTL_DAYS; containers with ttlFromSettings default to it, as the app computes it.')
param conversationTtlDays int

@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

@description('Log Analytics workspace that receives the account diagnostics.')
param logAnalyticsWorkspaceId string

param appPrincipalId string
@description('Developer principal for local runs; empty skips.')
param userPrincipalId string = ''

// shared/resources.py ContainerSpec.default_ttl: days * 86400, or -1 (TTL on, per-item ttl only) for 0.
var settingsTtl = conversationTtlDays > 0 ? conversationTtlDays * 86400 : -1

var containers = [for container in declaration.containers: {
  name: container.name
  partitionKeyPath: declaration.partitionKeyPath
  defaultTtl: (container.ttlFromSettings) ? settingsTtl : container.fixedTtl
  indexingPolicy: container.indexingPolicy
}]

module cosmos '../core/database/cosmos-nosql.bicep' = {
  name: 'cosmos-account'
  params: {
    name: accountName
    location: location
    tags: tags
    databaseName: databaseName
    capacityMode: capacityMode
    autoscaleMaxThroughput: autoscaleMaxThroughput
    containers: containers
    publicNetworkAccess: publicNetworkAccess
    logAnalyticsWorkspaceId: logAnalyticsWorkspaceId
  }
}

module appDataContributor '../core/database/cosmos-sql-role-assignment.bicep' = {
  name: 'cosmos-role-app'
  params: {
    accountName: cosmos.outputs.name
    principalId: appPrincipalId
  }
}

module userDataContributor '../core/database/cosmos-sql-role-assignment.bicep' = if (!empty(userPrincipalId)) {
  name: 'cosmos-role-user'
  params: {
    accountName: cosmos.outputs.name
    principalId: userPrincipalId
  }
}

output endpoint string = cosmos.outputs.endpoint
output databaseName string = cosmos.outputs.databaseName
output accountName string = cosmos.outputs.name
output accountId string = cosmos.outputs.id
