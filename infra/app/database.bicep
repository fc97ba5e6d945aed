// The "copilot" Cosmos DB database: containers, TTLs, indexing, and data-plane roles.
param accountName string
param location string
param tags object = {}
param databaseName string
param capacityMode string
param autoscaleMaxThroughput int

@description('0 keeps TTL on without a default lifetime (items carry their own ttl).')
param conversationTtlDays int
param moderationTtlDays int

param appPrincipalId string
@description('Developer principal for local runs; empty skips.')
param userPrincipalId string = ''

var secondsPerDay = 86400
var conversationTtl = conversationTtlDays > 0 ? conversationTtlDays * secondsPerDay : -1
var moderationTtl = moderationTtlDays > 0 ? moderationTtlDays * secondsPerDay : -1

// Mirrors shared/resources.py CONVERSATIONS: large free text is never filtered on, so it is not
// indexed; the composite indexes serve the single-partition list queries (filter on type, sort).
var conversationIndexing = {
  indexingMode: 'consistent'
  automatic: true
  includedPaths: [
    {
      path: '/*'
    }
  ]
  excludedPaths: [
    {
      path: '/content/?'
    }
    {
      path: '/content/*'
    }
    {
      path: '/feedback/*'
    }
    {
      path: '/appends/*'
    }
    {
      path: '/title/?'
    }
    {
      path: '/"_etag"/?'
    }
  ]
  compositeIndexes: [
    [
      {
        path: '/type'
        order: 'ascending'
      }
      {
        path: '/updated_us'
        order: 'descending'
      }
    ]
    [
      {
        path: '/type'
        order: 'ascending'
      }
      {
        path: '/created_us'
        order: 'ascending'
      }
    ]
    [
      {
        path: '/type'
        order: 'ascending'
      }
      {
        path: '/conversation_id'
        order: 'ascending'
      }
      {
        path: '/sequence'
        order: 'ascending'
      }
    ]
  ]
}

var containers = [
  {
    name: 'conversations'
    partitionKeyPath: '/pk'
    defaultTtl: conversationTtl
    indexingPolicy: conversationIndexing
  }
  {
    name: 'usage'
    partitionKeyPath: '/pk'
    defaultTtl: null
    indexingPolicy: null
  }
  {
    name: 'quotas'
    partitionKeyPath: '/pk'
    defaultTtl: -1 // counters carry their own ttl; -1 turns expiry on without a default
    indexingPolicy: null
  }
  {
    name: 'moderation'
    partitionKeyPath: '/pk'
    defaultTtl: moderationTtl
    indexingPolicy: null
  }
  {
    name: 'apikeys'
    partitionKeyPath: '/pk'
    defaultTtl: null
    indexingPolicy: null
  }
]

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
