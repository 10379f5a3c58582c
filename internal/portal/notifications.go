package portal

// notificationRoutes: an organisation's notifications.
func (s *Server) notificationRoutes(handle handleFunc) {}
