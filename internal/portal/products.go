package portal

// productRoutes: a manufacturer's products and versions (CRA), their SBOMs
// and findings.
func (s *Server) productRoutes(handle handleFunc) {}
