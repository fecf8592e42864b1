export default function Home() {
  return <main><h1>Pastiche</h1></main>;
}
