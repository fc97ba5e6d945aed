// Cosmos DB data-plane (SQL) role assignment; Azure RBAC roles do not grant data access.
param accountName string
param principalId string

@description('Built-in Cosmos DB Data Contributor unless overridden.')
param roleDefinitionId string = '00000000-0000-0000-0000-000000000002'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' existing = {
  name: accountName
}

resource assignment 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: account
  name: guid(account.id, principalId, roleDefinitionId)
  properties: {
    principalId: principalId
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${roleDefinitionId}'
    scope: account.id
  }
}
