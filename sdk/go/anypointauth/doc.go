// Log in to MuleSoft Anypoint Platform: a token resource that renews itself, and identity data functions (profile, organization, environments, business groups, any Anypoint API).
package anypointauth
