// Virtual network for vnetEnabled: one subnet for private endpoints, one delegated to Flex Consumption
// (Microsoft.App/environments) for the app's outbound VNet integration, as the Flex quickstart lays it out.
param name string
param location string
param tags object = {}

var privateEndpointSubnetName = 'private-endpoints'
var appSubnetName = 'app'

resource virtualNetwork 'Microsoft.Network/virtualNetworks@2023-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        '10.0.0.0/16'
      ]
    }
    subnets: [
      {
        name: privateEndpointSubnetName
        properties: {
          addressPrefixes: [
            '10.0.1.0/24'
          ]
          privateEndpointNetworkPolicies: 'Disabled'
          privateLinkServiceNetworkPolicies: 'Enabled'
        }
      }
      {
        name: appSubnetName
        properties: {
          addressPrefixes: [
            '10.0.2.0/24'
          ]
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
          privateEndpointNetworkPolicies: 'Disabled'
          privateLinkServiceNetworkPolicies: 'Enabled'
        }
      }
    ]
  }
}

output id string = virtualNetwork.id
output name string = virtualNetwork.name
output privateEndpointSubnetId string = '${virtualNetwork.id}/subnets/${privateEndpointSubnetName}'
output appSubnetId string = '${virtualNetwork.id}/subnets/${appSubnetName}'
