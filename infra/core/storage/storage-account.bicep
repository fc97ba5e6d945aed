// Storage account for the Functions host, the Flex deployment package and the app's queues.
// Shared-key access is off: every caller authenticates with Entra ID.
param name string
param location string
param tags object = {}

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param skuName string = 'Standard_LRS'

@description('Private blob containers to create (the Flex deployment package container among them).')
param containerNames array = []

@description('Queues to create: the app queues and their -poison queues, as shared/resources.py declares them.')
param queueNames array = []

@description('Disabled when blob and queue are reached through private endpoints only.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

@description('Log Analytics workspace that receives the diagnostics.')
param logAnalyticsWorkspaceId string

var isolated = publicNetworkAccess == 'Disabled'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  //checkov:skip=CKV_AZURE_35:Without vnetEnabled the Flex app reaches storage over the public endpoint; access is Entra-only (allowSharedKeyAccess false).
  //checkov:skip=CKV_AZURE_59:Same reason as CKV_AZURE_35; vnetEnabled turns public network access off.
  //checkov:skip=CKV_AZURE_206:Holds re-deployable packages, host leases and short-lived queue messages; skuName can select GRS/GZRS.
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    dnsEndpointType: 'Standard'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      bypass: isolated ? 'None' : 'AzureServices'
      defaultAction: isolated ? 'Deny' : 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for containerName in containerNames: {
  parent: blobService
  name: containerName
  properties: {
    publicAccess: 'None'
  }
}]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [for queueName in queueNames: {
  parent: queueService
  name: queueName
}]

var diagnosticsName = 'to-log-analytics'
var transactionMetrics = [
  {
    category: 'Transaction'
    enabled: true
  }
]
var allLogs = [
  {
    categoryGroup: 'allLogs'
    enabled: true
  }
]

resource accountDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: diagnosticsName
  scope: storage
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    metrics: transactionMetrics
  }
}

resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: diagnosticsName
  scope: blobService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: allLogs
    metrics: transactionMetrics
  }
}

resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: diagnosticsName
  scope: queueService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: allLogs
    metrics: transactionMetrics
  }
}

output id string = storage.id
output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
