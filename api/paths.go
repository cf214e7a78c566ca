package api

import "contactdesk/model"

// ServicePath is where a type of service lives under /1.0, as the
// provider names its products: GET /1.0/{Path} lists the caller's
// services of the type.
type ServicePath struct {
	Type string // one of model.ServiceTypes
	Path string
}

// ServicePaths lists every service type with its path, in the order of
// model.ServiceTypes.
var ServicePaths = []ServicePath{
	{model.TypeDomain, "domain"},
	{model.TypeHosting, "hosting/web"},
	{model.TypeVPS, "vps"},
	{model.TypeDedicated, "dedicated/server"},
	{model.TypeEmail, "email/domain"},
	{model.TypeCloud, "cloud/project"},
	{model.TypeDatabase, "hosting/privateDatabase"},
	{model.TypeSSL, "ssl"},
	{model.TypeCDN, "cdn/dedicated"},
}
