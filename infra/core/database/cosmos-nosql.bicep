// Azure Cosmos DB for NoSQL account with key authentication disabled, one database and its containers.
param name string
param location string
param tags object = {}
param databaseName string

@allowed([
  'serverless'
  'autoscale'
])
param capacityMode string = 'serverless'

@description('Shared database autoscale ceiling in RU/s; only used when capacityMode is autoscale.')
@minValue(1000)
param autoscaleMaxThroughput int = 1000

@description('Items: { name, partitionKeyPath, defaultTtl (int seconds, -1, or null), indexingPolicy (object or null) }.')
param containers array

var serverless = capacityMode == 'serverless'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  //checkov:skip=CKV_AZURE_99:No VNet in this deployment; the data plane accepts Entra tokens only (disableLocalAuth).
  //checkov:skip=CKV_AZURE_101:Same reason as CKV_AZURE_99; Flex Consumption without VNet integration needs the public endpoint.
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    capabilities: serverless ? [
      {
        name: 'EnableServerless'
      }
    ] : []
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
    enableAutomaticFailover: false
    enableFreeTier: false
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
    options: serverless ? {} : {
      autoscaleSettings: {
        maxThroughput: autoscaleMaxThroughput
      }
    }
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [for container in containers: {
  parent: database
  name: container.name
  properties: {
    resource: {
      id: container.name
      partitionKey: {
        paths: [
          container.partitionKeyPath
        ]
        kind: 'Hash'
        version: 2
      }
      defaultTtl: container.defaultTtl
      indexingPolicy: container.indexingPolicy
    }
  }
}]

output id string = account.id
output name string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
